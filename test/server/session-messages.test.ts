import { create } from "@bufbuild/protobuf";
import { TimestampSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { timestampInit } from "../../src/server/session-messages.js";

describe("timestampInit", () => {
  it.each([
    ["the epoch", 0],
    ["a whole second", 1_795_747_166_000],
    ["milliseconds", 1_795_747_166_123],
    ["before the epoch, whole", -86_400_000],
    ["before the epoch, with milliseconds", -1_001],
  ])("is the Timestamp protobuf-es makes of %s", (_name, ms) => {
    const date = new Date(ms);
    expect(create(TimestampSchema, timestampInit(date))).toEqual(timestampFromDate(date));
  });
});
