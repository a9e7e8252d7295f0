// The version lives below the doors: the console names it in custody records too.
export { version } from '../version.js';
