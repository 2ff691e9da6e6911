import type { K8sObject } from "./kustomize-render.js";

/** What kubernetes-models and @kubernetes-models/istio export per kind: a class whose validate() throws on schema errors. */
type ModelClass = new (data: object) => { validate(): void };

/**
 * The model class for an apiVersion/kind, from the packages' generated
 * OpenAPI validators: kubernetes-models for Kubernetes' own API groups,
 * @kubernetes-models/istio for *.istio.io. An unknown kind is an error, never
 * a silent pass.
 */
export async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = group?.endsWith(".istio.io") ? `@kubernetes-models/istio/${group}/${version}` : `kubernetes-models/${group ? `${group}/` : ""}${version}`;
  let exports: Record<string, unknown>;
  try {
    exports = (await import(module)) as Record<string, unknown>;
  } catch {
    throw new Error(`no schema for ${apiVersion} (looked for ${module})`);
  }
  const model = exports[kind];
  if (typeof model !== "function") throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model as ModelClass;
}

/**
 * Every problem with `object` under its API schema: the schema's own errors
 * (types, required fields, enums, formats such as quantities), plus fields
 * the schema does not know, which the generated validators let through (like
 * kubeconform without -strict) but a typo such as `containerPrt` must not.
 *
 * Unknown fields are found by asking the validator itself: put a value no
 * schema accepts (a Symbol) at each path of a valid object; if validation
 * still passes, no schema constrains that path, so the field is unknown there.
 * (This would also flag a schema-less position such as a CRD's
 * x-kubernetes-preserve-unknown-fields; none of our manifests has one.)
 */
export async function schemaProblems(object: K8sObject): Promise<string[]> {
  const Model = await modelFor(object.apiVersion, object.kind);
  const check = (data: object): string | undefined => {
    try {
      new Model(data).validate();
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  const invalid = check(object);
  if (invalid) return [invalid];
  const unknown: string[] = [];
  const walk = (value: unknown, path: Array<string | number>): void => {
    if (typeof value !== "object" || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      const probe = structuredClone(object) as Record<string | number, unknown>;
      let parent: Record<string | number, unknown> = probe;
      for (const step of at.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
      parent[at.at(-1)!] = Symbol("not any schema's type");
      if (check(probe) === undefined) unknown.push(`unknown field ${at.join(".")}`);
      else walk(child, at);
    }
  };
  walk(object, []);
  return unknown;
}
