// para-signer from Go: check a session, sign with its EVM wallet (EIP-191), and
// read the google.rpc error details of two failing calls.
//
//	./generate.sh
//	PARA_SESSION="$S" ./run.sh 127.0.0.1:50051      # Debian's Go packages, no module proxy
//	PARA_SESSION="$S" go run . 127.0.0.1:50051      # with the module proxy (after go mod tidy)
//
// The session comes from the environment, not the command line (other users
// can read command lines).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	signerv1 "example.com/para-signer-client/gen/signerv1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// Every call gets a deadline; the server caps it at SIGNER_MAX_TIMEOUT_MS.
const deadline = 10 * time.Second

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	target := "127.0.0.1:50051"
	if len(os.Args) > 1 {
		target = os.Args[1]
	}
	session := os.Getenv("PARA_SESSION")
	if session == "" {
		return errors.New("PARA_SESSION is not set")
	}
	// One connection per process, shared by every call (it multiplexes over HTTP/2).
	conn, err := grpc.Dial(target, grpc.WithInsecure())
	if err != nil {
		return err
	}
	defer conn.Close()
	signer := signerv1.NewSignerServiceClient(conn)

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	check, err := signer.CheckSession(ctx, &signerv1.CheckSessionRequest{Session: session})
	if err != nil {
		return fmt.Errorf("CheckSession: %w", err)
	}
	fmt.Printf("check: active=%t wallets=%d\n", check.Active, len(check.Wallets))

	message := []byte("hello from go")
	signed, err := signer.SignMessage(ctx, &signerv1.SignMessageRequest{
		Session: session, Message: message, WalletType: signerv1.WalletType_WALLET_TYPE_EVM, Format: signerv1.MessageFormat_MESSAGE_FORMAT_EIP191,
	})
	if err != nil {
		return fmt.Errorf("SignMessage: %w", err)
	}
	fmt.Printf("sign: message=%s address=%s signature=%s\n", message, signed.Address, signed.EncodedSignature)

	_, err = signer.CheckSession(ctx, &signerv1.CheckSessionRequest{Session: "not a session"})
	fmt.Printf("bad session: %s\n", describe(err))

	_, err = signer.SignMessage(ctx, &signerv1.SignMessageRequest{
		Session: session, Message: message, WalletId: "00000000-0000-4000-8000-000000000000", Format: signerv1.MessageFormat_MESSAGE_FORMAT_EIP191,
	})
	fmt.Printf("unknown wallet: %s\n", describe(err))
	return nil
}

// describe prints a failed call's code, message and google.rpc details.
func describe(err error) string {
	st, _ := status.FromError(err)
	parts := []string{strings.ToUpper(codeName(st.Code().String())), fmt.Sprintf("%q", st.Message())}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				parts = append(parts, fmt.Sprintf("field=%s (%s)", v.GetField(), v.GetDescription()))
			}
		case *errdetails.ErrorInfo:
			parts = append(parts, fmt.Sprintf("reason=%s domain=%s", d.GetReason(), d.GetDomain()))
		case *errdetails.RetryInfo:
			parts = append(parts, fmt.Sprintf("retry_after=%s", d.GetRetryDelay().AsDuration()))
		}
	}
	return strings.Join(parts, " ")
}

// codeName turns gRPC-Go's "InvalidArgument" into "INVALID_ARGUMENT".
func codeName(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}
