import { create, createFileRegistry, type DescExtension, type DescFile, type FileRegistry, toBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

/**
 * The server's schema as reflection needs it: files by name, the file that
 * declares a symbol, extensions of a message, and each file serialized as a
 * FileDescriptorProto.
 *
 * It is built from the descriptors protoc-gen-es already embeds in gen/ (and
 * in @bufbuild/protobuf/wkt for google/protobuf/*), so there is no second
 * copy of the schema to drift. Those embedded protos keep every field of the
 * original FileDescriptorProto except source_code_info (comments): the
 * generator strips `dependency` and default `json_name`s, and `fileDesc()`
 * puts both back when gen/ is loaded.
 */
export class DescriptorIndex {
  private readonly encoded = new Map<string, Uint8Array>();

  constructor(readonly registry: FileRegistry) {}

  /** Full names of every service declared in the indexed files, sorted (grpc-go sorts too). */
  serviceNames(): string[] {
    const names: string[] = [];
    for (const file of this.registry.files) names.push(...file.services.map((s) => s.typeName));
    return names.sort();
  }

  fileByName(name: string): DescFile | undefined {
    return this.registry.getFile(name);
  }

  /**
   * The file declaring `symbol`: a service, message, enum or extension at
   * any nesting depth (the registry indexes those), or a member of one that
   * clients also ask for: a method, a field, a oneof, or an enum value (whose
   * name is scoped to the enum's parent, as in C++).
   */
  fileContainingSymbol(symbol: string): DescFile | undefined {
    const type = this.registry.get(symbol);
    if (type) return type.file;
    const dot = symbol.lastIndexOf(".");
    if (dot < 0) return undefined;
    const scope = symbol.slice(0, dot);
    const member = symbol.slice(dot + 1);
    const parent = this.registry.get(scope);
    const hasValue = (enums: readonly { values: readonly { name: string }[] }[]) => enums.some((e) => e.values.some((v) => v.name === member));
    switch (parent?.kind) {
      case "service":
        return parent.methods.some((m) => m.name === member) ? parent.file : undefined;
      case "message": {
        const found = parent.fields.some((f) => f.name === member) || parent.oneofs.some((o) => o.name === member) || hasValue(parent.nestedEnums);
        return found ? parent.file : undefined;
      }
      case undefined:
        // A top-level enum's values live in the package scope.
        for (const file of this.registry.files) if (file.proto.package === scope && hasValue(file.enums)) return file;
        return undefined;
      default:
        return undefined;
    }
  }

  /** Extensions of message `typeName`, or undefined when no such message is known (grpc-go answers NOT_FOUND then). */
  extensionsOf(typeName: string): DescExtension[] | undefined {
    if (!this.registry.getMessage(typeName)) return undefined;
    const found: DescExtension[] = [];
    for (const type of this.registry) if (type.kind === "extension" && type.extendee.typeName === typeName) found.push(type);
    return found;
  }

  /**
   * `file` and then its transitive imports, breadth-first, each serialized.
   * As grpc-go does, the requested file is always sent, but an import already
   * sent on this stream (`sent`) is not: the proto allows it and clients
   * cache what they received.
   */
  withDependencies(file: DescFile, sent: Set<string>): Uint8Array[] {
    const out: Uint8Array[] = [];
    const queue: DescFile[] = [file];
    const queued = new Set<string>([file.proto.name]);
    for (let current = queue.shift(); current; current = queue.shift()) {
      const name = current.proto.name;
      if (out.length === 0 || !sent.has(name)) {
        sent.add(name);
        out.push(this.encode(current.proto));
      }
      for (const dep of current.dependencies) {
        if (queued.has(dep.proto.name)) continue;
        queued.add(dep.proto.name);
        queue.push(dep);
      }
    }
    return out;
  }

  private encode(proto: FileDescriptorProto): Uint8Array {
    let bytes = this.encoded.get(proto.name);
    if (!bytes) this.encoded.set(proto.name, (bytes = toBinary(FileDescriptorProtoSchema, proto)));
    return bytes;
  }
}

/**
 * A FileRegistry holding `files` and everything they import. Imports come
 * first in the set, because createFileRegistry resolves each file's
 * dependencies against the files already added.
 */
export function fileRegistryOf(files: readonly DescFile[]): FileRegistry {
  const ordered = new Map<string, FileDescriptorProto>();
  const visit = (file: DescFile): void => {
    if (ordered.has(file.proto.name)) return;
    file.dependencies.forEach(visit);
    ordered.set(file.proto.name, file.proto);
  };
  files.forEach(visit);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: [...ordered.values()] }));
}
