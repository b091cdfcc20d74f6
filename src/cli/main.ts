#!/usr/bin/env node
import { runCommandLine } from "./command-line.js";

const code = await runCommandLine(process.argv.slice(2), process.env);
// Success ends the process by itself (every connection closed, no timers left; `serve` runs until a signal).
// A failure has been reported, and whatever the command had started was stopped: exit now with its status.
if (code !== 0) process.exit(code);
