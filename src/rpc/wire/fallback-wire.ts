import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  mergeFromBinary,
  toBinary,
} from "@bufbuild/protobuf";
import { checkReadDepth, checkWriteDepth, type MessageWire } from "./message-wire.js";
import { MAX_MESSAGE_DEPTH } from "./wire-errors.js";

/**
 * A message type the compiled codec leaves to protobuf-es (see `fallbackReason`), wrapped as a {@link MessageWire}
 * so that compiled messages can hold it. protobuf-es gets the remaining depth budget, so the depth limit counts
 * across both.
 */
export function fallbackWire(schema: DescMessage): MessageWire {
  return {
    typeName: schema.typeName,
    write(writer, value, depth) {
      checkWriteDepth(depth, schema.typeName);
      writer.raw(toBinary(schema, create(schema, value as MessageInitShape<DescMessage>)));
    },
    read(reader, depth, target) {
      checkReadDepth(depth, schema.typeName);
      const bytes = reader.buf.subarray(reader.pos, reader.limit);
      reader.pos = reader.limit;
      // This message is at `depth`, protobuf-es counts it as 1.
      const options = { recursionLimit: MAX_MESSAGE_DEPTH - depth + 1 };
      return target === undefined
        ? fromBinary(schema, bytes, options)
        : mergeFromBinary(schema, target as MessageShape<DescMessage>, bytes, options);
    },
  };
}
