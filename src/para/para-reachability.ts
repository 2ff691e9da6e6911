import { isParaOutage } from "./para-errors.js";

/**
 * Whether Para answers, judged from the round trips the service makes anyway
 * (calls, and the pool's background constructions, which keep probing while
 * there is no traffic): a few consecutive failures without an answer or with
 * a 5xx mean unreachable; any answer below 500 means reachable again. A 429
 * is an answer: Para is there, just busy.
 *
 * Round trips are judged in the order they ended, not the order they are
 * reported: SDK threads report some of theirs (background constructions) a
 * few tens of milliseconds late, and an answer from before an outage,
 * reported after the outage's first failures, must not call Para back.
 */
/** Far longer than any round trip is reported late (SDK threads batch theirs every 50 ms). */
const LATE_REPORT_MAX_MS = 10_000;

export class ParaReachability {
  private failures = 0;
  private reachable = true;
  /** When the latest round trip judged so far ended (epoch ms). */
  private latestEndedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly onChange: (reachable: boolean) => void,
    private readonly failuresToTrip = 3,
  ) {}

  /** A round trip's outcome: its HTTP status (undefined: no answer) and when it ended (epoch ms). */
  observe(status: number | undefined, endedAt: number): void {
    // Older than what was already judged: Para has answered (or failed) more recently than this. Much older is the
    // wall clock stepped back (the stamps are Date.now()), not a late report: judged, so reachability never freezes.
    const age = this.latestEndedAt - endedAt;
    if (age > 0 && age <= LATE_REPORT_MAX_MS) return;
    this.latestEndedAt = endedAt;
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
