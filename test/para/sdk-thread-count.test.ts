import { describe, expect, test } from "vitest";
import { CGROUP_V1_PERIOD, CGROUP_V1_QUOTA, CGROUP_V2_CPU_MAX, cgroupCpuQuota, sdkThreadCount } from "../../src/para/threads/sdk-thread-count.js";

const files = (entries: Record<string, string>) => (path: string) => entries[path];

describe("SDK thread count", () => {
  test("cgroup v2 quota: cpu.max 'quota period'", () => {
    expect(cgroupCpuQuota(files({ [CGROUP_V2_CPU_MAX]: "400000 100000\n" }))).toBe(4);
    expect(cgroupCpuQuota(files({ [CGROUP_V2_CPU_MAX]: "150000 100000" }))).toBe(1.5);
    expect(cgroupCpuQuota(files({ [CGROUP_V2_CPU_MAX]: "max 100000" }))).toBeUndefined();
  });

  test("cgroup v1 quota: cfs_quota_us / cfs_period_us, -1 is none", () => {
    expect(cgroupCpuQuota(files({ [CGROUP_V1_QUOTA]: "300000", [CGROUP_V1_PERIOD]: "100000" }))).toBe(3);
    expect(cgroupCpuQuota(files({ [CGROUP_V1_QUOTA]: "-1", [CGROUP_V1_PERIOD]: "100000" }))).toBeUndefined();
    expect(cgroupCpuQuota(files({}))).toBeUndefined();
  });

  test("auto: one SDK thread per whole CPU of the quota, rather than of the host's cores", () => {
    const host64 = () => 64;
    expect(sdkThreadCount("auto", files({ [CGROUP_V2_CPU_MAX]: "200000 100000" }), host64)).toBe(2);
    expect(sdkThreadCount("auto", files({ [CGROUP_V2_CPU_MAX]: "400000 100000" }), host64)).toBe(4);
    expect(sdkThreadCount("auto", files({ [CGROUP_V2_CPU_MAX]: "250000 100000" }), host64)).toBe(2);
    // Below two CPUs a thread would share the main thread's: none.
    expect(sdkThreadCount("auto", files({ [CGROUP_V2_CPU_MAX]: "150000 100000" }), host64)).toBe(0);
    // No quota: the parallelism Node sees, capped.
    expect(sdkThreadCount("auto", files({}), () => 2)).toBe(2);
    expect(sdkThreadCount("auto", files({}), host64)).toBe(4);
    // A quota larger than the cores Node may use is bounded by them.
    expect(sdkThreadCount("auto", files({ [CGROUP_V2_CPU_MAX]: "1600000 100000" }), () => 4)).toBe(4);
  });

  test("an explicit setting is taken as it is (0: the SDK on the main thread)", () => {
    expect(sdkThreadCount(0, files({ [CGROUP_V2_CPU_MAX]: "800000 100000" }))).toBe(0);
    expect(sdkThreadCount(3, files({}), () => 1)).toBe(3);
  });
});
