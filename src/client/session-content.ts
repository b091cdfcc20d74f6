import type { JsonObject } from "@bufbuild/protobuf";
import type { Session } from "../../gen/redisession/v1/session_service_pb.js";

/**
 * A session's data as a JSON object, whichever form the read answered it in (`Session.content`): the Struct as it
 * is, or the JSON text (DATA_FORMAT_JSON) parsed. Parsing turns integers beyond 2^53 into doubles: to keep every
 * digit, read `content.value` of a `dataJson` answer with a parser that keeps them. `undefined` when the message
 * carries no data.
 *
 * @example
 * const { session } = await client.getSession({ key });
 * const cart = sessionData(session)?.cart;
 */
export function sessionData(session: Pick<Session, "content"> | undefined): JsonObject | undefined {
  const content = session?.content;
  if (content === undefined) return undefined;
  switch (content.case) {
    case "data":
      return content.value;
    case "dataJson":
      return JSON.parse(content.value) as JsonObject;
    default:
      return undefined;
  }
}
