import {
  BatchGetSessionsRequestSchema,
  CreateSessionRequestSchema,
  GetSessionRequestSchema,
  SaveSessionRequestSchema,
} from "../../gen/redisession/v1/session_service_pb.js";

/**
 * The request fields a failure can blame, by the names BadRequest field violations give them (AIP-193: proto field
 * names, as in the .proto file). Read from the descriptors, so that a renamed field cannot leave a stale name
 * behind. Every SessionService request that has one of these fields has it under the same name.
 */
export const REQUEST_FIELD = {
  store: SaveSessionRequestSchema.field.store.name,
  key: SaveSessionRequestSchema.field.key.name,
  keys: BatchGetSessionsRequestSchema.field.keys.name,
  idleTtl: SaveSessionRequestSchema.field.idleTtl.name,
  data: SaveSessionRequestSchema.field.data.name,
  dataJson: SaveSessionRequestSchema.field.dataJson.name,
  dataFormat: GetSessionRequestSchema.field.dataFormat.name,
  requestId: CreateSessionRequestSchema.field.requestId.name,
  condition: SaveSessionRequestSchema.field.condition.name,
  expectedVersion: SaveSessionRequestSchema.field.expectedVersion.name,
} as const;

/** The path of element `index` (0-based) of a repeated field (AIP-161): `keys[3]`. */
export function elementPath(field: string, index: number): string {
  return `${field}[${index}]`;
}
