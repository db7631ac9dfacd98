// The simulator in a process of its own (a real API is another machine: its CPU must not count
// against clipform's, nor share its event loop with the bench). Prints one JSON line
// {"url","apiUrl"} once listening; exits on SIGTERM after closing. Options: argv[2] as JSON.
import { startSimulator } from "../dist/sim/index.js";

const sim = await startSimulator(JSON.parse(process.argv[2] ?? "{}"));
process.stdout.write(JSON.stringify({ url: sim.url, apiUrl: sim.apiUrl }) + "\n");
process.on("SIGTERM", () => {
  void sim.close().finally(() => process.exit(0));
});
