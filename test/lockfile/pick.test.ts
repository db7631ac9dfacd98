import { describe, expect, it } from "vitest";
import { pickedResult, pickTake } from "../../src/lockfile/pick.js";
import type { Lockfile, LockResult, LockTask } from "../../src/lockfile/schema.js";

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const task = (n: number, at: string): LockTask => ({ taskUUID: uuid(n), numberResults: 2, status: "succeeded", submittedAt: at });
const result = (t: number, v: string): LockResult => ({ taskUUID: uuid(t), videoUUID: v, costUsd: 0.1, file: `clipform-out/${v}.mp4` });

function lock(): Lockfile {
  return {
    format_version: 2,
    lineage: uuid(99),
    serial: 1,
    clips: {
      arrival: { fingerprint: "v1:a", manifest: "specs/a.yaml", model: "klingai:3@1", request: {}, numberResults: 2, tasks: [task(2, "2026-01-02")], results: [result(2, "b1"), result(2, "b2")] },
    },
    // An earlier roll of the same request, kept among the takes.
    takes: { "v1:a": { address: "arrival", manifest: "specs/a.yaml", model: "klingai:3@1", request: {}, tasks: [task(1, "2026-01-01")], results: [result(1, "a1"), result(1, "a2")] } },
  };
}

describe("pickedResult", () => {
  it("is the clip's current variant when nothing was picked", () => {
    expect(pickedResult(lock(), "arrival")?.videoUUID).toBe("b1");
    expect(pickedResult(lock(), "arrival", 2)?.videoUUID).toBe("b2");
    expect(pickedResult(lock(), "arrival", 3)).toBeUndefined();
    expect(pickedResult(lock(), "nowhere")).toBeUndefined();
  });

  it("follows a pick onto a kept take, variant by variant", () => {
    const picked = pickTake(lock(), "arrival", "1").lock;
    expect(pickedResult(picked, "arrival")?.videoUUID).toBe("a1");
    expect(pickedResult(picked, "arrival", 2)?.videoUUID).toBe("a2");
    const back = pickTake(picked, "arrival", "2").lock;
    expect(pickedResult(back, "arrival")?.videoUUID).toBe("b1");
  });
});
