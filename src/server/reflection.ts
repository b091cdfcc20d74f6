import { type DescFile, type DescService, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { ReflectionService } from "@grpc/reflection";

type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

/** `file` and every file it imports, transitively, each once. */
function withDependencies(file: DescFile, seen = new Map<string, DescFile>()): Map<string, DescFile> {
  if (seen.has(file.name)) return seen;
  seen.set(file.name, file);
  for (const dependency of file.dependencies) withDependencies(dependency, seen);
  return seen;
}

/**
 * Server reflection (v1 and v1alpha) for `services`, so grpcurl and other tools can list, describe and call them
 * with no proto files at hand; `extraFiles` are served too (by file name and by the symbols they declare) though
 * no service refers to them: the types of the error details, which arrive packed in `google.protobuf.Any`.
 *
 * The descriptors come from what `gen/` already embeds (protobuf-es keeps each file's FileDescriptorProto), not
 * from a second parse of the proto files: proto-loader's reflection output synthesizes descriptors that strict
 * clients reject. `@grpc/reflection` reads only the `fileDescriptorProtos` of each package entry.
 */
export function reflectionService(
  services: readonly DescService[],
  extraFiles: readonly DescFile[] = [],
): ReflectionService {
  const files = new Map<string, DescFile>();
  for (const service of services) withDependencies(service.file, files);
  for (const file of extraFiles) withDependencies(file, files);
  const fileDescriptorProtos = [...files.values()].map((file) =>
    Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)),
  );
  const definition = Object.fromEntries(
    services.map((service) => [
      service.typeName,
      { format: "Protocol Buffer 3 FileDescriptorProto", type: {}, fileDescriptorProtos },
    ]),
  );
  return new ReflectionService(definition as unknown as PackageDefinition, {
    services: services.map((service) => service.typeName),
  });
}
