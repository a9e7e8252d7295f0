import {
  type EvidenceView,
  streamBodyfile,
  streamEvents,
  timelineCsvHeader,
  timelineCsvLine,
  timesketchLine,
  type VerifiedView,
} from '../forensics/index.js';
import type { Store } from '../store/index.js';
import { Csrf, When } from './components.js';
import type { VerifyOutcome } from './evidence-data.js';
import { ProcessTree } from './evidence-processes.js';
import { Custody, FileList, Indicators, VerifyResult } from './evidence-sections.js';
import { TimelineSection } from './evidence-timeline.js';
import type { TimelineFilters, TimelinePage } from './evidence-timeline-data.js';
import type { Signed } from './http.js';

function Actions(props: { id: string; signed: Signed; exports: boolean }) {
  const { id } = props;
  return (
    <section class="card actions">
      <form method="post" action={`/evidence/${id}/verify`}>
        <Csrf token={props.signed.csrf} />
        <button type="submit">Verify</button>
      </form>
      <a class="button secondary" href={`/evidence/${id}/download`}>
        Download package (.tar)
      </a>
      {props.exports ? (
        <>
          <span>Timeline as </span>
          <a href={`/evidence/${id}/export/timesketch`}>Timesketch JSONL</a>
          <a href={`/evidence/${id}/export/csv`}>CSV</a>
          <a href={`/evidence/${id}/export/bodyfile`}>bodyfile</a>
        </>
      ) : null}
    </section>
  );
}

/** What the page rests on, in a line: when the package was last verified in full, and how far. */
function VerifiedNote(props: { outcome: VerifyOutcome; verifiedAt: string }) {
  const anchored = props.outcome.anchors.some((anchor) => anchor.ok);
  return (
    <p class="hint" role="status">
      {'Verified in full at '}
      <When at={props.verifiedAt} seconds={true} />
      {anchored
        ? ': the files match the package hash signed when it was acquired'
        : ': self-consistent only (no signed record of its hash was found)'}
      {`; package hash ${props.outcome.packageHash}. The files have not changed on disk since; Verify re-hashes them.`}
    </p>
  );
}

/** The package as its verified view shows it: custody, indicators, processes, timeline, files. */
function PackageView(props: {
  id: string;
  view: EvidenceView;
  filters: TimelineFilters;
  timeline: TimelinePage;
}) {
  const { summary } = props.view;
  return (
    <>
      <Custody custody={summary.custody} />
      <section class="card" aria-labelledby="indicators-heading">
        <h2 id="indicators-heading">{`Indicators (${summary.indicators.length})`}</h2>
        <Indicators indicators={summary.indicators} />
      </section>
      <section class="card" aria-labelledby="processes-heading">
        <h2 id="processes-heading">Processes</h2>
        <ProcessTree processes={summary.processes} indicators={summary.indicators} />
      </section>
      <TimelineSection
        id={props.id}
        filters={props.filters}
        choices={{ sources: summary.sources, kinds: summary.kinds }}
        timeline={props.timeline}
      />
      <section class="card" aria-labelledby="files-heading">
        <h2 id="files-heading">Files</h2>
        <FileList items={summary.files} total={summary.fileCount} />
      </section>
    </>
  );
}

/**
 * The body of `/evidence/ID`: the verification it rests on, then the package, or, for a package
 * that does not verify, the failure alone (nothing it holds is shown as if it were evidence).
 */
export function PackageDetail(props: {
  id: string;
  signed: Signed;
  opened: VerifiedView;
  /** Present when the package verified: the timeline page asked for. */
  timeline: { filters: TimelineFilters; page: TimelinePage } | undefined;
  /** The full result is shown after the Verify button, and for a failure. */
  showVerification: boolean;
}) {
  const { id, opened, timeline } = props;
  const verified = opened.kind === 'verified';
  return (
    <>
      <p>
        <a href="/evidence">All packages</a>
      </p>
      {props.showVerification || !verified ? (
        <VerifyResult outcome={opened.outcome} />
      ) : (
        <VerifiedNote outcome={opened.outcome} verifiedAt={opened.verifiedAt} />
      )}
      <Actions id={id} signed={props.signed} exports={verified} />
      {!verified ? (
        <p class="lead">
          Nothing from this package is shown: it does not verify. Download it to examine what changed.
        </p>
      ) : timeline ? (
        <PackageView id={id} view={opened.view} filters={timeline.filters} timeline={timeline.page} />
      ) : null}
    </>
  );
}

export type ExportFormat = 'timesketch' | 'csv' | 'bodyfile';

/** Lines gathered into chunks of about this many bytes before they are handed to the socket. */
const chunkBytes = 64 * 1024;

async function* lines(store: Store, view: EvidenceView, format: ExportFormat): AsyncGenerator<string> {
  switch (format) {
    case 'timesketch':
      for await (const event of streamEvents(store, view)) yield timesketchLine(event);
      return;
    case 'csv':
      yield timelineCsvHeader;
      for await (const event of streamEvents(store, view)) yield timelineCsvLine(event);
      return;
    case 'bodyfile':
      yield* streamBodyfile(store, view);
      return;
    default: {
      const unreachable: never = format;
      throw new Error(`unknown export format ${String(unreachable)}`);
    }
  }
}

/** An export read from the view's rows a chunk at a time: the response starts at once, memory stays flat. */
export async function* exportChunks(
  store: Store,
  view: EvidenceView,
  format: ExportFormat,
): AsyncGenerator<Buffer> {
  let pending: string[] = [];
  let size = 0;
  for await (const line of lines(store, view, format)) {
    pending.push(line);
    size += line.length;
    if (size >= chunkBytes) {
      yield Buffer.from(pending.join(''));
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''));
}
