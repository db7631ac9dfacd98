import { describe, expect, it } from "vitest";
import { endedInFailure, failedTask, inFlight, TASK_STATUSES } from "../../src/core/states.js";
import { taskSchema } from "../../src/lockfile/schema.js";

describe("task states", () => {
  it("are the lockfile's task statuses, in its order", () => {
    expect(TASK_STATUSES).toEqual(taskSchema.shape.status.options);
  });

  it("in flight means submitted and not finished, nothing else", () => {
    expect(TASK_STATUSES.filter((status) => inFlight({ status }))).toEqual(["submitted"]);
  });

  it("a failure is a task that ended with failed results, all of them or some", () => {
    expect(TASK_STATUSES.filter((status) => endedInFailure({ status }))).toEqual(["failed", "partial"]);
    expect(TASK_STATUSES.filter((status) => failedTask({ status }))).toEqual(["failed"]);
  });
});
