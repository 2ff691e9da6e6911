import { isParaOutage } from "./para-errors.js";

/**
 * Whether Para answers, judged from the round trips the service makes anyway
 * (calls, and the pool's background constructions, which keep probing while
 * there is no traffic): a few consecutive failures without an answer or with
 * a 5xx mean unreachable; any answer below 500 means reachable again. A 429
 * is an answer: Para is there, just busy.
 */
export class ParaReachability {
  private failures = 0;
  private reachable = true;

  constructor(
    private readonly onChange: (reachable: boolean) => void,
    private readonly failuresToTrip = 3,
  ) {}

  observe(status: number | undefined): void {
    const failed = isParaOutage(status);
    this.failures = failed ? this.failures + 1 : 0;
    const next = this.failures < this.failuresToTrip && (this.reachable || !failed);
    if (next !== this.reachable) {
      this.reachable = next;
      this.onChange(next);
    }
  }

  get isReachable(): boolean {
    return this.reachable;
  }
}
