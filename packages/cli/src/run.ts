// The CLI as a process, from the modules tsc wrote: started by main.ts when the bundle is not current.
import { runProcess } from './run-process.js';

await runProcess();
