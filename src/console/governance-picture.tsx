import { describeRule, type PermissionEntry } from '../rbac/index.js';

/** How much of one subject's access the picture draws; the rest is counted under it. */
export const pictureLimits = { bindings: 12, roles: 12, rulesPerRole: 3 } as const;

const column = { width: 220, gap: 40 } as const;
const row = { height: 46, box: 38 } as const;
/** Room above the boxes for the column titles, and around them so no stroke is cut off. */
const top = 26;
const margin = 2;
const textRoom = 29; // characters of a name that fit in a box at 12px
const colours = {
  subject: '#1f4e99',
  binding: '#eef4fc',
  role: '#f5f7fa',
  rule: '#ffffff',
  line: '#9aa5b1',
  ink: '#1f2933',
  faint: '#52606d',
} as const;

interface Node {
  /** The small first line: the kind (`RoleBinding`), or a rule's verbs. */
  readonly kind: string;
  /** The name, cut to fit. */
  readonly label: string;
  /** The whole text, shown when the pointer rests on the box (names are cut to fit). */
  readonly full: string;
}

/** What the picture shows: nodes per column, the edges between them, and what was left out. */
export interface PictureModel {
  readonly subject: Node;
  readonly bindings: readonly (Node & { readonly role: number })[];
  readonly roles: readonly Node[];
  readonly rules: readonly (Node & { readonly role: number })[];
  readonly hidden: { readonly bindings: number; readonly roles: number; readonly rules: number };
}

const cut = (text: string, room = textRoom) => (text.length <= room ? text : `${text.slice(0, room - 1)}…`);

/** `RoleBinding/payments/api` → kind `RoleBinding`, name `payments/api`; a rule splits at its first space. */
function node(text: string, separator: '/' | ' '): Node {
  const at = text.indexOf(separator);
  const [kind, name] = at === -1 ? ['', text] : [text.slice(0, at), text.slice(at + 1)];
  return { kind: cut(kind, 34), label: cut(name), full: text };
}

/** Bindings, their roles and the roles' rules, capped, in an order that keeps edges from crossing. */
export function pictureModel(
  subject: { readonly kind: string; readonly name: string },
  entries: readonly PermissionEntry[],
): PictureModel {
  const bindingRole = new Map<string, string>();
  const roleRules = new Map<string, Set<string>>();
  for (const entry of entries) {
    bindingRole.set(entry.binding, entry.role);
    const rules = roleRules.get(entry.role) ?? new Set<string>();
    rules.add(describeRule(entry.rule));
    roleRules.set(entry.role, rules);
  }
  const allBindings = [...bindingRole.keys()];
  const drawnBindings = allBindings.slice(0, pictureLimits.bindings);
  const roleNames = [...new Set(drawnBindings.map((binding) => bindingRole.get(binding)!))];
  const drawnRoles = roleNames.slice(0, pictureLimits.roles);
  const roleIndex = new Map(drawnRoles.map((role, at) => [role, at]));
  const bindings = drawnBindings
    .filter((binding) => roleIndex.has(bindingRole.get(binding)!))
    .map((binding) => ({ ...node(binding, '/'), role: roleIndex.get(bindingRole.get(binding)!)! }))
    .sort((a, b) => a.role - b.role);
  const rules = drawnRoles.flatMap((role, at) =>
    [...(roleRules.get(role) ?? [])]
      .slice(0, pictureLimits.rulesPerRole)
      .map((rule) => ({ ...node(rule, ' '), role: at })),
  );
  const allRules = [...roleRules.values()].reduce((sum, set) => sum + set.size, 0);
  return {
    subject: {
      kind: cut(subject.kind, 34),
      label: cut(subject.name),
      full: `${subject.kind} ${subject.name}`,
    },
    bindings,
    roles: drawnRoles.map((role) => node(role, '/')),
    rules,
    hidden: {
      bindings: allBindings.length - bindings.length,
      roles: roleRules.size - drawnRoles.length,
      rules: allRules - rules.length,
    },
  };
}

const xOf = (col: number) => margin + col * (column.width + column.gap);

function Box(props: { node: Node; col: number; y: number; fill: string; ink?: string; faint?: string }) {
  return (
    <g>
      <title>{props.node.full}</title>
      <rect
        x={xOf(props.col)}
        y={props.y}
        width={column.width}
        height={row.box}
        rx="4"
        fill={props.fill}
        stroke={colours.line}
      />
      <text x={xOf(props.col) + 8} y={props.y + 14} font-size="10" fill={props.faint ?? colours.faint}>
        {props.node.kind}
      </text>
      <text x={xOf(props.col) + 8} y={props.y + 30} font-size="12" fill={props.ink ?? colours.ink}>
        {props.node.label}
      </text>
    </g>
  );
}

function Edge(props: { from: [number, number]; to: [number, number] }) {
  const [fromCol, fromY] = props.from;
  const [toCol, toY] = props.to;
  return (
    <line
      x1={xOf(fromCol) + column.width}
      y1={fromY + row.box / 2}
      x2={xOf(toCol)}
      y2={toY + row.box / 2}
      stroke={colours.line}
      stroke-width="1.5"
    />
  );
}

/**
 * One subject's access as a picture: subject → bindings → roles → rules, drawn on the server as
 * inline SVG (no script, no style element: the console's policy allows neither). Every name is
 * text content, escaped by the renderer; long ones are cut, with the whole name as the box's title.
 */
export function AccessPicture(props: { model: PictureModel }) {
  const { model } = props;
  const boxes = Math.max(model.bindings.length, model.roles.length, model.rules.length, 1) * row.height;
  const height = top + boxes + margin;
  // Each column is centred on the tallest one.
  const place = (at: number, count: number) =>
    top + Math.floor((boxes - count * row.height) / 2) + at * row.height;
  const subjectY = place(0, 1);
  const bindingY = (at: number) => place(at, model.bindings.length);
  const roleY = (at: number) => place(at, model.roles.length);
  const ruleY = (at: number) => place(at, model.rules.length);
  const width = xOf(3) + column.width + margin;
  const { hidden } = model;
  return (
    <figure class="access-picture">
      <svg
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-labelledby="picture-title"
        font-family="system-ui, sans-serif"
      >
        <title id="picture-title">{`Access of ${model.subject.full}: subject, bindings, roles, rules`}</title>
        {['Subject', 'Bindings', 'Roles', 'Rules'].map((title, col) => (
          <text x={xOf(col)} y="16" font-size="12" font-weight="600" fill={colours.faint}>
            {title}
          </text>
        ))}
        {model.bindings.map((_, at) => (
          <Edge from={[0, subjectY]} to={[1, bindingY(at)]} />
        ))}
        {model.bindings.map((binding, at) => (
          <Edge from={[1, bindingY(at)]} to={[2, roleY(binding.role)]} />
        ))}
        {model.rules.map((rule, at) => (
          <Edge from={[2, roleY(rule.role)]} to={[3, ruleY(at)]} />
        ))}
        <Box node={model.subject} col={0} y={subjectY} fill={colours.subject} ink="#ffffff" faint="#dbe6f5" />
        {model.bindings.map((binding, at) => (
          <Box node={binding} col={1} y={bindingY(at)} fill={colours.binding} />
        ))}
        {model.roles.map((role, at) => (
          <Box node={role} col={2} y={roleY(at)} fill={colours.role} />
        ))}
        {model.rules.map((rule, at) => (
          <Box node={rule} col={3} y={ruleY(at)} fill={colours.rule} />
        ))}
      </svg>
      <figcaption>
        {hidden.bindings + hidden.roles + hidden.rules === 0
          ? 'Subject → bindings → roles → rules. Every grant is drawn; the tables below list each with its namespace.'
          : `Subject → bindings → roles → rules. Not drawn: ${[
              hidden.bindings > 0
                ? `${hidden.bindings} ${hidden.bindings === 1 ? 'binding' : 'bindings'}`
                : '',
              hidden.roles > 0 ? `${hidden.roles} ${hidden.roles === 1 ? 'role' : 'roles'}` : '',
              hidden.rules > 0 ? `${hidden.rules} ${hidden.rules === 1 ? 'rule' : 'rules'}` : '',
            ]
              .filter(Boolean)
              .join(', ')}; the tables below list them all.`}
      </figcaption>
    </figure>
  );
}
