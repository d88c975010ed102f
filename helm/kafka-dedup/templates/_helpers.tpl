{{/* Chart name, overridable. */}}
{{- define "kafka-dedup.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every resource name. */}}
{{- define "kafka-dedup.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The headless Service: pod DNS names <pod>.<headless> for interactive queries. */}}
{{- define "kafka-dedup.headless" -}}
{{- printf "%s-headless" (include "kafka-dedup.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kafka-dedup.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kafka-dedup.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kafka-dedup.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kafka-dedup.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Only the Service Prometheus scrapes carries it: the headless Service selects the same pods,
and a ServiceMonitor matching both would scrape every pod twice. */}}
{{- define "kafka-dedup.metricsServiceLabels" -}}
kafka-dedup/metrics: "true"
{{- end }}

{{- define "kafka-dedup.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kafka-dedup.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kafka-dedup.image" -}}
{{- $repository := .Values.image.repository }}
{{- with .Values.image.registry }}{{ $repository = printf "%s/%s" . $repository }}{{ end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* A security context value without its "enabled" switch; empty when switched off. */}}
{{- define "kafka-dedup.securityContext" -}}
{{- if .enabled }}
{{- toYaml (omit . "enabled") }}
{{- end }}
{{- end }}

{{/* An HTTP probe on the http port: (dict "path" PATH "probe" VALUES). */}}
{{- define "kafka-dedup.probe" -}}
httpGet:
  path: {{ .path }}
  port: http
{{ toYaml (omit .probe "enabled") }}
{{- end }}

{{/* resources.limits.memory in MiB; accepts Gi, Mi, G and M. */}}
{{- define "kafka-dedup.memoryLimitMiB" -}}
{{- $limit := toString (required "resources.limits.memory is required: the heap and RocksDB memory are derived from it" .Values.resources.limits.memory) }}
{{- if hasSuffix "Gi" $limit }}{{ mul (trimSuffix "Gi" $limit | atoi) 1024 }}
{{- else if hasSuffix "Mi" $limit }}{{ trimSuffix "Mi" $limit | atoi }}
{{- else if hasSuffix "G" $limit }}{{ div (mul (trimSuffix "G" $limit | atoi) 1000000000) 1048576 }}
{{- else if hasSuffix "M" $limit }}{{ div (mul (trimSuffix "M" $limit | atoi) 1000000) 1048576 }}
{{- else }}{{ fail (printf "resources.limits.memory %q: use Gi, Mi, G or M" $limit) }}
{{- end }}
{{- end }}

{{- define "kafka-dedup.heapMiB" -}}
{{- div (mul (include "kafka-dedup.memoryLimitMiB" . | atoi) .Values.memory.heapPercent) 100 }}
{{- end }}

{{- define "kafka-dedup.rocksdbBytes" -}}
{{- mul (div (mul (include "kafka-dedup.memoryLimitMiB" . | atoi) .Values.memory.rocksdbPercent) 100) 1048576 }}
{{- end }}

{{/* ISO-8601 PTnS / PTnM / PTnH durations in seconds (what shutdown.timeout is checked with). */}}
{{- define "kafka-dedup.shutdownSeconds" -}}
{{- $t := upper .Values.shutdown.timeout }}
{{- if regexMatch "^PT[0-9]+S$" $t }}{{ regexFind "[0-9]+" $t }}
{{- else if regexMatch "^PT[0-9]+M$" $t }}{{ mul (regexFind "[0-9]+" $t | atoi) 60 }}
{{- else if regexMatch "^PT[0-9]+H$" $t }}{{ mul (regexFind "[0-9]+" $t | atoi) 3600 }}
{{- else }}{{ fail (printf "shutdown.timeout %q: use PTnS, PTnM or PTnH" .Values.shutdown.timeout) }}
{{- end }}
{{- end }}

{{/* Render-time checks of combinations a schema cannot express. */}}
{{- define "kafka-dedup.validate" -}}
{{- if gt (add .Values.memory.heapPercent .Values.memory.rocksdbPercent) 70 }}
{{- fail "memory.heapPercent + memory.rocksdbPercent must leave 30% of the limit for non-heap JVM memory and RocksDB overhead" }}
{{- end }}
{{- if le (int .Values.terminationGracePeriodSeconds) (include "kafka-dedup.shutdownSeconds" . | atoi) }}
{{- fail "terminationGracePeriodSeconds must exceed shutdown.timeout, or pods are killed before they commit" }}
{{- end }}
{{- if and .Values.keda.enabled (gt (int .Values.keda.maxReplicas) (int .Values.keda.partitions)) }}
{{- fail "keda.maxReplicas must not exceed keda.partitions: extra instances would get no partition" }}
{{- end }}
{{- if eq (empty .Values.topics.input) (empty .Values.topics.inputPattern) }}
{{- fail "set exactly one of topics.input and topics.inputPattern" }}
{{- end }}
{{- if and .Values.security.tls.enabled (not .Values.security.tls.secretName) }}
{{- fail "security.tls.secretName is required when security.tls.enabled" }}
{{- end }}
{{- if and .Values.persistence.enabled .Values.persistence.existingClaim (or .Values.keda.enabled (ne (int .Values.replicas) 1)) }}
{{- fail "persistence.existingClaim needs replicas=1 and keda.enabled=false: each instance needs its own state volume (leave existingClaim empty for one claim per pod)" }}
{{- end }}
{{- if and .Values.security.sasl.enabled (not .Values.security.sasl.secretName) }}
{{- fail "security.sasl.secretName is required when security.sasl.enabled" }}
{{- end }}
{{- end }}
