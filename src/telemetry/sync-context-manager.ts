import { type Context, type ContextManager, ROOT_CONTEXT } from "@opentelemetry/api";

/**
 * The OpenTelemetry context manager this service registers on its main thread: `context.with(ctx, fn)` makes `ctx`
 * active for `fn`'s synchronous part only, and nothing follows a promise.
 *
 * Why not AsyncLocalStorage (the Node SDK's default): in Node 20 it turns on promise hooks for the whole process
 * once used, and every promise then pays a hook call, whether its call is traced, sampled or not. Measured on
 * VerifySession by JWT (no Para round trip): 0.09 ms more main-thread CPU per call, about a fifth of the call,
 * with 10% head sampling as with every span (`bench/results/tracing-context.md`).
 *
 * So the service carries each call's context itself: the tracing interceptor puts it in the call's context
 * values (call-trace.ts), the Para boundary hands it down explicitly, and whatever reads `context.active()` (the
 * SDK threads' round trips, an SDK instance's own) reads it synchronously inside a `context.with` of that context.
 * Code that expects the active context to cross an `await` (auto-instrumentation) gets the root context instead:
 * the service loads none.
 */
export class SynchronousContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  /** A function bound to `ctx` runs in it whenever it is called; anything else (an event emitter) is left as it is. */
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== "function") return target;
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}
