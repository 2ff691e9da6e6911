import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { envToConfig } from "../../src/config/config.js";
import { schemaProblems } from "./k8s-schema.js";
import { type K8sObject, kubectlKustomize, objectId, renderKustomization } from "./kustomize-render.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const base = join(root, "deploy/kubernetes");
const mesh = join(base, "mesh");

/** What a user's overlay does with the kit: the base plus the mesh Component (kustomize wants relative paths). */
const overlay = mkdtempSync(join(tmpdir(), "para-signer-overlay-"));
writeFileSync(
  join(overlay, "kustomization.yaml"),
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${relative(overlay, base)}]\ncomponents: [${relative(overlay, mesh)}]\n`,
);

/** Both renders of each kustomization: kubectl's (where installed) and ours. */
const dirs = { base, mesh, "base + mesh": overlay };
const both = Object.fromEntries(Object.entries(dirs).map(([name, dir]) => [name, { kubectl: kubectlKustomize(dir), ours: renderKustomization(dir) }]));
const hasKubectl = Object.values(both).every((r) => r.kubectl !== undefined);
/** What gets validated: kubectl's render where kubectl is installed, else ours (equal where both exist, see below). */
const renders = Object.fromEntries(Object.entries(both).map(([name, r]) => [name, r.kubectl ?? r.ours])) as Record<keyof typeof dirs, K8sObject[]>;
const all = renders["base + mesh"];
const find = (kind: string, name = "para-signer") => all.find((o) => o.kind === kind && o.metadata.name === name)!;

describe("`kubectl kustomize deploy/kubernetes` validated against the Kubernetes (and Istio) schemas", () => {
  afterAll(() => rmSync(overlay, { recursive: true, force: true }));

  test.each(Object.entries(renders))("%s renders, and every object passes its schema, unknown fields included", async (_name, objects) => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) expect({ id: objectId(object), problems: await schemaProblems(object) }).toEqual({ id: objectId(object), problems: [] });
  });

  // CI has only npm, so there our renderer stands in for kubectl; here it is held to kubectl's output.
  test.skipIf(!hasKubectl)("our render equals `kubectl kustomize` for each kustomization", () => {
    const byId = (objects: K8sObject[]) => new Map(objects.map((o) => [objectId(o), o]));
    for (const { kubectl, ours } of Object.values(both)) expect(byId(ours)).toEqual(byId(kubectl!));
  });

  test("the combined render is the base plus exactly the mesh Component's objects", () => {
    expect(all.map(objectId).sort()).toEqual([...renders.base, ...renders.mesh].map(objectId).sort());
    expect(renders.base.map((o) => o.kind)).not.toContain("PeerAuthentication"); // Istio CRDs stay opt-in
  });

  test("the validator rejects wrong fields (so a green run means something)", async () => {
    const deployment = find("Deployment");
    const broken = (edit: (d: any) => void) => {
      const copy = structuredClone(deployment);
      edit(copy);
      return schemaProblems(copy);
    };
    expect(await broken((d) => (d.spec.template.spec.containers[0].ports[0] = { name: "grpc", containerPrt: 50051 }))).not.toEqual([]);
    expect(await broken((d) => (d.spec.template.spec.containers[0].imagePullPolcy = "Always"))).toEqual([
      "unknown field spec.template.spec.containers.0.imagePullPolcy",
    ]);
    expect(await broken((d) => (d.spec.replicas = "two"))).not.toEqual([]);
    expect(await broken((d) => (d.spec.template.spec.containers[0].resources.limits.memory = "864 MiB"))).not.toEqual([]);
    const peer = structuredClone(find("PeerAuthentication")) as any;
    peer.spec.mtls = { mdoe: "STRICT" };
    expect(await schemaProblems(peer)).toEqual(["unknown field spec.mtls.mdoe"]);
    await expect(schemaProblems({ ...deployment, apiVersion: "apps/v1beta9" })).rejects.toThrow(/no schema/);
  });
});

describe("the kit's pieces agree with each other and with the code", () => {
  const deployment = find("Deployment") as any;
  const container = deployment.spec.template.spec.containers[0];
  const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;

  test("the image comes from kustomization.yaml's images:, tagged with the package version", () => {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(container.image).toBe(`para-signer:${version}`);
  });

  test("the memory limit covers the measured peak RSS + the buffered-bytes bound + open streams + the memory-backed /tmp", () => {
    const mib = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? NaN);
    const bench = (name: string) => readFileSync(join(root, "bench/results", name), "utf8");
    const rssSoakPeaks = [...bench("rss-soak.md").matchAll(/^\| \d+ \| \d+ \| \d+ \| (\d+) \|/gm)].map((m) => Number(m[1]));
    const soakMax = Number(/\| (\d+)–(\d+) \| \d+–\d+ \| \d+–\d+ \|/.exec(bench("soak.md"))?.[2]);
    // Every signing RPC at c=64: the peak RSS column of each para-signer row.
    const signingPeaks = [...bench("signing-rpcs.md").matchAll(/^\| \d+ \| para-signer \|(?: [^|]+ \|){8} (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(signingPeaks.length).toBeGreaterThan(0);
    const peak = Math.max(...rssSoakPeaks, soakMax, ...signingPeaks);
    expect(peak).toBeGreaterThan(300); // the files were read, not defaulted
    const env = Object.fromEntries((container.env as Array<{ name: string; value?: string }>).filter((e) => e.value).map((e) => [e.name, e.value!]));
    const limits = envToConfig(env).limits;
    const buffered = limits.maxBufferedBytes / 2 ** 20;
    // What an open stream costs beyond its buffered bytes, from the flood measured at the default 1024 streams.
    const flood = bench("body-flood.md");
    const growth = Number(/under-limit flood[^\n]*\(\+([\d.]+) MiB\)/.exec(flood)?.[1]);
    const floodBuffered = Number(/under-limit flood[^\n]*peak buffered ([\d.]+) MiB/.exec(flood)?.[1]);
    const perStream = (growth - floodBuffered) / 1024;
    expect(perStream).toBeGreaterThan(0);
    const streams = limits.maxOpenStreams * perStream;
    const tmp = mib(deployment.spec.template.spec.volumes.find((v: any) => v.name === "tmp").emptyDir.sizeLimit);
    const limit = mib(container.resources.limits.memory);
    expect(limit).toBeGreaterThanOrEqual((peak + buffered + streams + tmp) * 1.2); // at least 20% headroom
    expect(mib(container.resources.requests.memory)).toBeLessThanOrEqual(limit);
  });

  test("the example Secret has exactly the keys the Deployment reads, with placeholder values only", () => {
    const secret = parse(readFileSync(join(base, "secret.example.yaml"), "utf8")) as K8sObject & { stringData: Record<string, string> };
    const refs = (container.env as any[]).map((e) => e.valueFrom?.secretKeyRef).filter(Boolean);
    expect(new Set(refs.map((r: any) => r.name))).toEqual(new Set([secret.metadata.name]));
    expect(Object.keys(secret.stringData).sort()).toEqual(refs.map((r: any) => r.key).sort());
    for (const value of Object.values(secret.stringData)) expect(value).toMatch(/^REPLACE-ME-not-a-real-/);
    expect(all.map((o) => o.kind)).not.toContain("Secret"); // never applied over the real one
  });

  test("every policy selects the Deployment's pods; the NetworkPolicy opens only the gRPC port", async () => {
    const matches = (labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => podLabels[k] === v);
    for (const policy of all.filter((o) => o.kind === "NetworkPolicy")) expect(matches((policy as any).spec.podSelector.matchLabels)).toBe(true);
    for (const kind of ["PeerAuthentication", "AuthorizationPolicy"]) expect(matches((find(kind) as any).spec.selector.matchLabels)).toBe(true);
    const ingressPorts = (find("NetworkPolicy") as any).spec.ingress.flatMap((rule: any) => rule.ports.map((p: any) => p.port));
    expect(ingressPorts).toEqual([container.ports[0].containerPort]);
  });

  test("Istio: STRICT mTLS, and an ALLOW policy naming service-account principals for SignerService and health", () => {
    expect((find("PeerAuthentication") as any).spec.mtls.mode).toBe("STRICT");
    const policy = (find("AuthorizationPolicy") as any).spec;
    expect(policy.action).toBe("ALLOW");
    for (const rule of policy.rules) {
      for (const from of rule.from)
        for (const principal of from.source.principals) expect(principal).toMatch(/^cluster\.local\/ns\/[a-z0-9-]+\/sa\/[a-z0-9-]+$/);
      expect(rule.to.flatMap((t: any) => t.operation.paths)).toEqual(["/para.signer.v1.SignerService/*", "/grpc.health.v1.Health/*"]);
    }
  });
});
