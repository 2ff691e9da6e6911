/**
 * The main thread's context manager (src/telemetry/sync-context-manager.ts): a context is active for the
 * synchronous part of `context.with` only. Its adversary is interleaving: two calls taking turns on the event loop
 * must never see each other's context, so nothing may stay active past `with`, a throw or an await.
 */
import { createContextKey, ROOT_CONTEXT } from "@opentelemetry/api";
import { describe, expect, test } from "vitest";
import { SynchronousContextManager } from "../../src/telemetry/sync-context-manager.js";

const KEY = createContextKey("call");
const ctxOf = (call: string) => ROOT_CONTEXT.setValue(KEY, call);
const callOf = (manager: SynchronousContextManager) => manager.active().getValue(KEY);

describe("SynchronousContextManager", () => {
  test("a context is active inside `with`, nested ones in turn, and the previous one again after", () => {
    const manager = new SynchronousContextManager();
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const seen = manager.with(ctxOf("a"), () => {
      const inner = manager.with(ctxOf("b"), () => callOf(manager));
      return [callOf(manager), inner, callOf(manager)];
    });
    expect(seen).toEqual(["a", "b", "a"]);
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  test("a throw restores the previous context", () => {
    const manager = new SynchronousContextManager();
    expect(() =>
      manager.with(ctxOf("a"), () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  test("nothing crosses an await: interleaved calls see only the root after theirs, never each other's", async () => {
    const manager = new SynchronousContextManager();
    const after: unknown[] = [];
    const call = (name: string) =>
      manager.with(ctxOf(name), async () => {
        const before = callOf(manager);
        await new Promise((resolve) => setTimeout(resolve, 1));
        after.push(callOf(manager));
        return before;
      });
    expect(await Promise.all([call("a"), call("b")])).toEqual(["a", "b"]);
    expect(after).toEqual([undefined, undefined]);
  });

  test("`with` passes this and arguments; `bind` runs a function in its context whenever it is called", () => {
    const manager = new SynchronousContextManager();
    const self = { tag: "self" };
    expect(
      manager.with(
        ctxOf("a"),
        function (this: typeof self, x: number) {
          return `${this.tag}:${x}:${callOf(manager)}`;
        },
        self,
        7,
      ),
    ).toBe("self:7:a");
    const bound = manager.bind(ctxOf("b"), () => callOf(manager));
    expect(bound()).toBe("b");
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const emitter = { on: () => undefined };
    expect(manager.bind(ctxOf("b"), emitter)).toBe(emitter);
  });

  test("disable returns to the root context at once", () => {
    const manager = new SynchronousContextManager();
    const seen = manager.with(ctxOf("a"), () => {
      manager.disable();
      return manager.active();
    });
    expect(seen).toBe(ROOT_CONTEXT);
  });
});
