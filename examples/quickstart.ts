import {
  Code,
  createSessionClient,
  SaveCondition,
  SessionServiceError,
  sessionData,
} from "@redisession/client";

/** A login, a read-modify-write with compare-and-set, a key rotation and a logout. */
export async function quickstart(target = "127.0.0.1:50051"): Promise<string[]> {
  const client = createSessionClient(target, { defaultTimeoutMs: 2_000 });
  const log: string[] = [];
  try {
    // Log in: a fresh session under a server-made key (put it in the user's cookie).
    const { session } = await client.createSession({
      content: { case: "data", value: { userId: 42, cart: [] } },
      idleTtl: { seconds: 3600n },
    });
    const key = session?.key ?? "";
    log.push(`created version ${session?.version}`);

    // Add to the cart without losing a concurrent writer's change: save only if nobody wrote since our read.
    const current = await client.getSession({ key, touch: true });
    const data = sessionData(current.session) ?? {};
    const cart = [...((data.cart as string[]) ?? []), "book"];
    const saved = await client.saveSession({
      key,
      content: { case: "data", value: { ...data, cart } },
      condition: SaveCondition.EXPECTED_VERSION,
      expectedVersion: current.session?.version ?? 0,
    });
    log.push(`saved version ${saved.session?.version}`);

    // After a privilege change, move the session to a new key (anti-fixation).
    const rotated = await client.rotateSessionKey({ key });
    log.push(`rotated: old key ${rotated.session?.key === key ? "kept" : "retired"}`);

    // Log out.
    const { existed } = await client.deleteSession({ key: rotated.session?.key ?? "" });
    log.push(`deleted: ${existed}`);

    try {
      await client.getSession({ key });
    } catch (error) {
      if (error instanceof SessionServiceError && error.code === Code.NOT_FOUND)
        log.push("old key: not found");
      else throw error;
    }
  } finally {
    client.close();
  }
  return log;
}
