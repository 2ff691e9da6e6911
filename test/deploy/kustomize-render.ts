import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

/** One rendered Kubernetes object. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The kustomization fields this renderer implements; anything else fails loudly instead of rendering wrong. */
const SUPPORTED = new Set(["apiVersion", "kind", "resources", "components", "images"]);

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
}

/**
 * `kustomize build` for the subset deploy/kubernetes uses: resources (files,
 * or directories with their own kustomization), components that only add
 * resources, and `images:` (newName/newTag) on pod templates. Used when no
 * kubectl is installed (CI needs only npm); where kubectl is, the tests check
 * this render equals `kubectl kustomize`, so the subset stays exact.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const file = join(dir, "kustomization.yaml");
  const kustomization = parseDocuments(file)[0] as Record<string, unknown> | undefined;
  if (!kustomization) throw new Error(`${file}: empty`);
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: ${unsupported.join(", ")} not rendered by test/deploy/kustomize-render.ts; extend it`);
  const objects: K8sObject[] = [];
  for (const entry of list<string>(kustomization["resources"])) {
    const path = join(dir, entry);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : (parseDocuments(path) as K8sObject[])));
  }
  for (const entry of list<string>(kustomization["components"])) {
    const component = join(dir, entry);
    if ((parseDocuments(join(component, "kustomization.yaml"))[0] as { kind?: string }).kind !== "Component") throw new Error(`${component}: not a Component`);
    objects.push(...renderKustomization(component));
  }
  for (const rule of list<ImageRule>(kustomization["images"])) for (const object of objects) retag(object, rule);
  const ids = objects.map(objectId);
  const duplicate = ids.find((id, n) => ids.indexOf(id) !== n);
  if (duplicate) throw new Error(`${dir}: ${duplicate} defined twice`); // kustomize refuses this too
  return objects;
}

/** `kubectl kustomize <dir>` when kubectl is installed (`KUBECTL` names another binary), else undefined. */
export function kubectlKustomize(dir: string): K8sObject[] | undefined {
  let out: string;
  try {
    out = execFileSync(process.env["KUBECTL"] ?? "kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  return parseAllDocuments(out).map((doc) => doc.toJS() as K8sObject);
}

export function objectId(object: K8sObject): string {
  return `${object.apiVersion.split("/").slice(0, -1).join("/")}/${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

function parseDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
  return docs.map((doc) => doc.toJS() as unknown).filter((value) => value !== null);
}

function list<T>(value: unknown): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`expected a list, got ${JSON.stringify(value)}`);
  return value as T[];
}

/** kustomize's image transformer: match on the image name (tag and digest aside), replace name and/or tag. */
function retag(object: K8sObject, rule: ImageRule): void {
  const spec = object["spec"] as ({ template?: { spec?: PodSpec } } & PodSpec) | undefined;
  for (const pod of [spec?.template?.spec, object.kind === "Pod" ? spec : undefined]) {
    for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
      const at = container.image.indexOf("@");
      const withTag = at < 0 ? container.image : container.image.slice(0, at);
      const colon = withTag.lastIndexOf(":");
      const hasTag = colon > withTag.lastIndexOf("/");
      const name = hasTag ? withTag.slice(0, colon) : withTag;
      if (name !== rule.name) continue;
      const tag = rule.newTag !== undefined ? `:${rule.newTag}` : hasTag ? withTag.slice(colon) : "";
      const digest = rule.newTag === undefined && at >= 0 ? container.image.slice(at) : "";
      container.image = `${rule.newName ?? name}${tag}${digest}`;
    }
  }
}

interface PodSpec {
  containers?: Array<{ image: string }>;
  initContainers?: Array<{ image: string }>;
}
