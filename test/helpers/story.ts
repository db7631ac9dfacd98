/** The chained-shots manifest of the contract (issue 13), without images:. */
export const STORY = `version: 1
clips:
  arrival:
    model: klingai:3@1
    positivePrompt: A train pulls into a snowy mountain station at dusk.
  platform:
    model: klingai:5@1
    positivePrompt: The passengers step out onto the snowy platform.
    inputs:
      frameImages:
        - image: { from: arrival, frame: last }
          frame: first
`;

/** A clip that starts from a keyframe of images: (the rest of the contract), to append to STORY's clips. */
export const OPENING = `  opening:
    model: klingai:5@1
    positivePrompt: Snow falls on the empty station.
    inputs:
      frameImages:
        - image: { from: station-key }
`;

export const STATION_KEY = `images:
  station-key:
    model: runware:101@1
    positivePrompt: A snowy mountain station at dusk, cinematic still.
    width: 1280
    height: 720
`;

export const TRAILER = `sequences:
  trailer: [arrival, platform]
`;

/** Two unchained shots, as a manifest to which `sequences:` or more clips may be appended. */
export const TWO_SHOTS = `version: 1
clips:
  arrival:
    model: klingai:3@1
    positivePrompt: A train pulls into a snowy mountain station at dusk.
  platform:
    model: klingai:3@1
    positivePrompt: The passengers step out onto the snowy platform.
`;
