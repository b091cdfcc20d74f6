// Entry point of the bomb lab (see bomb-lab.ts): run in a fresh process with `node --import tsx`, it prints the
// lab's report as one JSON line on stdout and nothing else.
import { runBombLab } from "./bomb-lab.js";

process.stdout.write(`${JSON.stringify(await runBombLab())}\n`);
