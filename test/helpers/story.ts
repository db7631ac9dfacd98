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
