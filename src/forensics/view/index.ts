export { viewKeyOf } from './build.js';
export { fingerprintOf } from './fingerprint.js';
export {
  bucketWidthFor,
  bucketWidths,
  type EventGroup,
  type EventSpread,
  groupOf,
  maxBuckets,
  originOf,
  type SlotCount,
  spreadOf,
} from './histogram.js';
export {
  countEvents,
  countPerSlot,
  eventsPage,
  readView,
  streamBodyfile,
  streamEvents,
} from './read.js';
export type {
  EventFilters,
  EvidenceView,
  ProcessSummary,
  VerifiedView,
  VerifyOutcome,
  ViewSummary,
} from './types.js';
export { viewFileLimit } from './types.js';
export { heldView, type ViewRequest, verifiedView } from './verified.js';
