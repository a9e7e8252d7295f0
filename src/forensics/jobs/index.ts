/** Console acquisition jobs in the store: every replica shows them, a dead replica's are interrupted. */
export {
  createJob,
  finishJob,
  jobChannel,
  type NewJob,
  readJob,
  renewJobs,
  staleAfterMs,
  sweepStale,
  writeRow,
} from './job-store.js';
export { defaultJobLimits, type Job, type JobLimits, type JobRow } from './types.js';
