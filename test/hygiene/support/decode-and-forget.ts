/**
 * Run as a child process by no-retained-values.test.ts: `node --expose-gc --import tsx decode-and-forget.ts
 * FIELD`. Decodes one request whose FIELD (`store`, or a string in the session data) holds a value that exists
 * nowhere in this process but as bytes, lets go of the message, collects garbage and prints whether a heap
 * snapshot still holds the value as a string: "retained" or "gone".
 */
import { randomBytes } from "node:crypto";
import { getHeapSnapshot } from "node:v8";
import {
  GetSessionRequestSchema,
  SaveSessionRequestSchema,
} from "../../../gen/redisession/v1/session_service_pb.js";
import { messageCodec } from "../../../src/rpc/wire/message-codec.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

/** Random lowercase letters, made as bytes: no string of them exists until something decodes one. */
const value = randomBytes(12).map((byte) => 0x61 + (byte % 26));

const delimited = (field: number, ...parts: Uint8Array[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([(field << 3) | 2, body.byteLength]), body]);
};

/** The request, by the field that carries the value. */
const requests = {
  // GetSessionRequest { store: value, key: "k" }
  store: () =>
    messageCodec(GetSessionRequestSchema).decode(
      Buffer.concat([delimited(1, value), delimited(2, Buffer.from("k"))]),
    ),
  // SaveSessionRequest { data: { "k": value } }: Struct.fields entry { key: "k", value: Value { string_value } }
  data: () =>
    messageCodec(SaveSessionRequestSchema).decode(
      delimited(3, delimited(1, delimited(1, Buffer.from("k")), delimited(2, delimited(3, value)))),
    ),
};

const field = process.argv[2] as keyof typeof requests;
const decode = requests[field];
if (decode === undefined) throw new Error(`unknown field ${field}`);

/** In a function of its own, so that no register of the running module frame still holds the message. */
function decodeAndDrop(): void {
  const message = JSON.stringify(decode());
  if (!message.includes(Buffer.from(value).toString("latin1"))) throw new Error("the value did not decode");
}

decodeAndDrop();
await new Promise((resolve) => setTimeout(resolve, 0));
gc();
let snapshot = "";
for await (const chunk of getHeapSnapshot()) snapshot += chunk;
console.log(snapshot.includes(Buffer.from(value).toString("latin1")) ? "retained" : "gone");
