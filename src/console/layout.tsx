import type { Child } from 'hono/jsx';
import { icon, script, styles } from './assets.js';
import type { Signed } from './http.js';

interface NavItem {
  readonly href: string;
  readonly label: string;
}

const accessItems: readonly NavItem[] = [
  { href: '/access/requests', label: 'Requests' },
  { href: '/access/approvals', label: 'Approvals' },
  { href: '/access/flows', label: 'Flows' },
];

const forensicsItems: readonly NavItem[] = [
  { href: '/forensics', label: 'Acquire' },
  { href: '/evidence', label: 'Evidence' },
];

/** The link for the page being shown is marked, also for the pages below it (a request under Requests). */
function NavLink(props: { item: NavItem; path: string }) {
  const { item, path } = props;
  const current = item.href === '/' ? path === '/' : path === item.href || path.startsWith(`${item.href}/`);
  return (
    <li>
      <a href={item.href} aria-current={current ? 'page' : undefined}>
        {item.label}
      </a>
    </li>
  );
}

function Navigation(props: { path: string }) {
  const { path } = props;
  const top = (href: string, label: string) => <NavLink item={{ href, label }} path={path} />;
  return (
    <nav class="side" aria-label="Main">
      <ul>
        {top('/', 'Home')}
        {top('/clusters', 'Clusters')}
        <li>
          <span class="group">Forensics</span>
          <ul>
            {forensicsItems.map((item) => (
              <NavLink item={item} path={path} />
            ))}
          </ul>
        </li>
        {top('/governance', 'Governance')}
        <li>
          <span class="group">Access</span>
          <ul>
            {accessItems.map((item) => (
              <NavLink item={item} path={path} />
            ))}
          </ul>
        </li>
        {top('/reviews', 'Reviews')}
        {top('/audit', 'Audit')}
      </ul>
    </nav>
  );
}

function Document(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Gatehouse`}</title>
        <link rel="icon" href={icon.url} type="image/svg+xml" />
        <link rel="stylesheet" href={styles.url} />
        <script src={script.url} defer />
      </head>
      {props.children}
    </html>
  );
}

/** Every signed-in page: the top bar with who is signed in, the navigation, and the page. */
export function Layout(props: { signed: Signed; path: string; title: string; children: Child }) {
  const { principal, csrf } = props.signed;
  return (
    <Document title={props.title}>
      <body>
        <header class="topbar">
          <a class="product" href="/">
            Gatehouse
          </a>
          <div class="who">
            <span>
              Signed in as <strong>{principal.subject}</strong>
            </span>
            <span class="roles">
              {principal.roles.length > 0 ? principal.roles.join(', ') : 'no platform role'}
            </span>
            <form method="post" action="/auth/logout">
              <input type="hidden" name="_csrf" value={csrf} />
              <button type="submit">Sign out</button>
            </form>
          </div>
        </header>
        <Navigation path={props.path} />
        <main id="main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </Document>
  );
}

/** The page for anyone not signed in: one button to the identity provider, and why the last try failed. */
export function LoginPage(props: { next: string; error: string | undefined; provider: boolean }) {
  return (
    <Document title="Sign in">
      <body class="plain">
        <main class="login" id="main">
          <section class="card">
            <h1>Sign in to Gatehouse</h1>
            {props.error ? (
              <div class="notice error" role="alert">
                <p>{props.error}</p>
              </div>
            ) : null}
            {props.provider ? (
              <>
                <p>Gatehouse uses your organisation's identity provider; it never sees your password.</p>
                <p>
                  <a class="button" href={`/auth/login?next=${encodeURIComponent(props.next)}`}>
                    Sign in with your identity provider
                  </a>
                </p>
              </>
            ) : (
              <>
                <p>No identity provider is configured yet.</p>
                <p>
                  On a new installation, open the one-time link that <code>gatehouse serve</code> printed in
                  its log: it signs in the first administrator. Then set <code>oidc.issuer</code> and{' '}
                  <code>oidc.clientId</code> in the configuration so people sign in with their organisation's
                  accounts.
                </p>
              </>
            )}
          </section>
        </main>
      </body>
    </Document>
  );
}

/** A refusal or failure, said as the capability said it: the cause, then the fix. */
export function ErrorPage(props: { signed: Signed; path: string; message: string; fix: string | undefined }) {
  return (
    <Layout signed={props.signed} path={props.path} title="That did not work">
      <div class="notice error" role="alert">
        <p>{props.message}</p>
        {props.fix ? <p>{props.fix}</p> : null}
      </div>
      <p>
        <a href={props.path}>Back</a> · <a href="/">Home</a>
      </p>
    </Layout>
  );
}
