/**
 * What a recorded request made: keyframe images (`images:`, imageInference) or videos. Takes,
 * picks and prunes count and name their results by it, so an image is never called a video.
 */
export type ResultKind = "video" | "image";

/** The kind of a lockfile entry's or take's request. */
export function resultKind(request: Readonly<Record<string, unknown>>): ResultKind {
  return request.taskType === "imageInference" ? "image" : "video";
}

/** "1 video", "2 images". */
export function countResults(n: number, kind: ResultKind): string {
  return `${n} ${kind}${n === 1 ? "" : "s"}`;
}
