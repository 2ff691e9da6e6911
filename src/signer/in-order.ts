/**
 * Runs `work` over `inputs` with at most `concurrency` at once, answers in the inputs' order. The first failure
 * stops new work (what is running finishes, bounded by the call) and is thrown.
 */
export async function inOrder<T, R>(inputs: readonly T[], concurrency: number, work: (input: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(inputs.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < inputs.length) {
      const i = next++;
      try {
        results[i] = await work(inputs[i]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, inputs.length)) }, lane);
  const settled = await Promise.allSettled(lanes);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) throw failure.reason;
  return results;
}
