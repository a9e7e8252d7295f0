import type { AccessDetails, AccessStep } from '../access/index.js';
import { Csrf } from './components.js';

function Step(props: { step: AccessStep; download: string | undefined; csrf: string }) {
  const { step } = props;
  switch (step.kind) {
    case 'download-credential':
      return (
        <li>
          <p>{step.text}</p>
          {props.download ? (
            <form method="post" action={props.download}>
              <Csrf token={props.csrf} />
              <button type="submit">Download kubeconfig</button>
            </form>
          ) : (
            <p class="hint">Only the requester can download it.</p>
          )}
          <p class="hint">
            From a terminal: <code>{step.command}</code>
          </p>
        </li>
      );
    case 'commands':
      return (
        <li>
          <p>{step.text}</p>
          <pre>{step.commands.join('\n')}</pre>
        </li>
      );
    case 'file':
      return (
        <li>
          <p>
            {step.text} <code>{step.path}</code>
          </p>
          <pre>{step.content}</pre>
        </li>
      );
    case 'note':
      return (
        <li>
          <p>{step.text}</p>
        </li>
      );
    default: {
      const unknown: never = step;
      return unknown;
    }
  }
}

/**
 * How to use the access, as the access capability words it for the request's mode (the CLI's
 * `gatehouse access show` prints the same steps). The credential step becomes the download
 * button for the requester.
 */
export function AccessDetailsSection(props: {
  details: AccessDetails;
  download: string | undefined;
  csrf: string;
}) {
  const { details } = props;
  if (details.status === 'not-active') return <p class="empty">{details.message}</p>;
  return (
    <ol class="steps">
      {details.steps.map((step) => (
        <Step step={step} download={props.download} csrf={props.csrf} />
      ))}
    </ol>
  );
}
