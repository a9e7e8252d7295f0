{{/* The release's full name: the release name when it already says gatehouse. */}}
{{- define "gatehouse.fullname" -}}
{{- if contains "gatehouse" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-gatehouse" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.labels" -}}
app.kubernetes.io/name: gatehouse
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component (server or agent). */}}
{{- define "gatehouse.selector" -}}
app.kubernetes.io/name: gatehouse
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "gatehouse.serviceAccountName" -}}
{{- default (include "gatehouse.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "gatehouse.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The restricted Pod Security Standard, for the pod and for every container. */}}
{{- define "gatehouse.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "gatehouse.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Checks across values that the schema cannot explain well; each message names the value and the fix.
*/}}
{{- define "gatehouse.validate" -}}
{{- $v := .Values -}}
{{- if and (not $v.server.enabled) (not $v.agent.enabled) -}}
{{- fail "nothing to deploy: server.enabled and agent.enabled are both false. Set server.enabled=true for the server, or agent.enabled=true (with agent.serverUrl) for agent-only mode" -}}
{{- end -}}
{{- if and $v.server.enabled $v.agent.enabled -}}
{{- fail "server.enabled and agent.enabled are both true: the server reaches its own cluster directly. Install the agent with server.enabled=false in the clusters the server cannot reach" -}}
{{- end -}}
{{- if and $v.agent.enabled (not $v.agent.serverUrl) -}}
{{- fail "agent.enabled=true needs agent.serverUrl: the https URL of your Gatehouse server, e.g. --set agent.serverUrl=https://gatehouse.example.com" -}}
{{- end -}}
{{- if and $v.agent.enabled (not $v.agent.token.secretName) -}}
{{- fail "agent.enabled=true needs agent.token.secretName: the Secret holding the token `gatehouse agents create NAME` printed" -}}
{{- end -}}
{{- if and $v.capabilities.access.enabled (not $v.capabilities.access.bindableRoles) -}}
{{- fail "capabilities.access.enabled=true needs capabilities.access.bindableRoles: the Roles/ClusterRoles your flows offer (Gatehouse may bind only those), e.g. --set capabilities.access.bindableRoles={view,edit}" -}}
{{- end -}}
{{- if and $v.server.enabled (gt (int $v.server.replicas) 1) (not $v.server.database.secretName) -}}
{{- fail (printf "server.replicas=%d needs PostgreSQL: set server.database.secretName to a Secret holding the postgres:// URL (or server.replicas=1 for SQLite on the pod's disk, lost on restart)" (int $v.server.replicas)) -}}
{{- end -}}
{{- if and $v.server.enabled $v.server.ingress.enabled (not $v.server.ingress.host) -}}
{{- fail "server.ingress.enabled=true needs server.ingress.host, e.g. gatehouse.example.com" -}}
{{- end -}}
{{- if and $v.server.enabled $v.server.oidc.issuer (not $v.server.oidc.clientId) -}}
{{- fail "server.oidc.issuer is set but server.oidc.clientId is empty: set the client id registered at your OpenID Provider" -}}
{{- end -}}
{{- end -}}
