{{/*
Names, labels and the pieces every component shares. A component is one of ingest, speed, batch,
query; each has its folder under templates/ whose files call the templates below with
(dict "root" $ "component" "<name>").
*/}}

{{- define "lambda.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release name, plus the chart name unless the release name already contains it. */}}
{{- define "lambda.fullname" -}}
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

{{- define "lambda.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Maven module (and image name) of a component. */}}
{{- define "lambda.module" -}}
{{- printf "%s-service" . }}
{{- end }}

{{/* Name of a component's resources: <fullname>-<component>. */}}
{{- define "lambda.componentName" -}}
{{- printf "%s-%s" (include "lambda.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource of the release; with .component, also the component label. */}}
{{- define "lambda.labels" -}}
helm.sh/chart: {{ include "lambda.chart" .root }}
{{ include "lambda.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: lambda
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels: immutable once a Deployment exists, so only name, instance and component. */}}
{{- define "lambda.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lambda.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{- define "lambda.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lambda.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "lambda.configMapName" -}}
{{- printf "%s-config" (include "lambda.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <registry>/<repository>/<module>:<tag>, or the component's imageRepository override. */}}
{{- define "lambda.image" -}}
{{- $values := .root.Values }}
{{- $settings := index $values .component }}
{{- $repository := $settings.imageRepository | default (printf "%s/%s" $values.image.repository (include "lambda.module" .component)) }}
{{- $tag := $values.image.tag | default .root.Chart.AppVersion }}
{{- if $values.image.registry }}
{{- printf "%s/%s:%s" $values.image.registry $repository $tag }}
{{- else }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}
{{- end }}

{{/* Whether a component reads the views and the shared tables (all but ingest). */}}
{{- define "lambda.usesStore" -}}
{{- if ne .component "ingest" }}true{{- end }}
{{- end }}

{{/* Whether a component talks to Kafka (all but query). */}}
{{- define "lambda.usesKafka" -}}
{{- if ne .component "query" }}true{{- end }}
{{- end }}

{{/* Where the API keys Secret is mounted (a directory mount: a subPath mount would never see updates). */}}
{{- define "lambda.apiKeysDir" -}}
/etc/lambda/api-keys
{{- end }}

{{/*
Environment of a component: connections, the shared settings of lambda-shared.yaml and the
component's own settings, by Spring's relaxed binding. docker/compose.yaml sets the same names.
*/}}
{{- define "lambda.env" -}}
{{- $values := .root.Values }}
{{- $settings := index $values .component }}
- name: JAVA_TOOL_OPTIONS
  value: {{ $values.javaToolOptions | quote }}
{{- with $values.security.apiKeys.existingSecret }}
- name: LAMBDA_SECURITY_API_KEYS_FILE
  value: {{ printf "%s/%s" (include "lambda.apiKeysDir" $) $values.security.apiKeys.key | quote }}
{{- end }}
{{- if include "lambda.usesKafka" . }}
- name: SPRING_KAFKA_BOOTSTRAP_SERVERS
  value: {{ $values.kafka.bootstrapServers | quote }}
- name: SPRING_KAFKA_SECURITY_PROTOCOL
  value: {{ $values.kafka.securityProtocol | quote }}
{{- with $values.kafka.saslMechanism }}
- name: SPRING_KAFKA_PROPERTIES_SASL_MECHANISM
  value: {{ . | quote }}
{{- end }}
{{- with $values.kafka.auth.existingSecret }}
- name: SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $values.kafka.auth.jaasConfigKey }}
{{- end }}
{{- end }}
{{- if eq .component "ingest" }}
- name: LAMBDA_INGEST_TOPIC_NAME
  value: {{ $values.kafka.topic.name | quote }}
- name: LAMBDA_INGEST_TOPIC_PARTITIONS
  value: {{ $values.kafka.topic.partitions | quote }}
{{- end }}
{{- if include "lambda.usesStore" . }}
- name: SPRING_CONFIG_ADDITIONAL_LOCATION
  value: "file:/config/views.yaml"
- name: LAMBDA_EVENTS_TOPIC
  value: {{ $values.kafka.topic.name | quote }}
- name: LAMBDA_EVENTS_PARTITIONS
  value: {{ $values.kafka.topic.partitions | quote }}
- name: LAMBDA_EVENTS_EPOCH_LENGTH
  value: {{ $values.lambda.epochLength | quote }}
- name: LAMBDA_STORE_KEYSPACE
  value: {{ $values.cassandra.keyspace | quote }}
- name: LAMBDA_STORE_REPLICATION_FACTOR
  value: {{ $values.cassandra.replicationFactor | quote }}
- name: LAMBDA_STORE_DEPLOYMENT
  value: {{ $values.lambda.deployment | quote }}
- name: SPRING_CASSANDRA_CONTACT_POINTS
  value: {{ join "," $values.cassandra.contactPoints | quote }}
- name: SPRING_CASSANDRA_LOCAL_DATACENTER
  value: {{ $values.cassandra.localDatacenter | quote }}
{{- with $values.cassandra.auth.existingSecret }}
- name: SPRING_CASSANDRA_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $values.cassandra.auth.usernameKey }}
- name: SPRING_CASSANDRA_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $values.cassandra.auth.passwordKey }}
{{- end }}
{{- end }}
{{- if include "lambda.usesStore" . }}
- name: LAMBDA_SPEED_ENGINE
  value: {{ $values.speed.engine | quote }}
{{- end }}
{{- if eq .component "speed" }}
{{- include "lambda.speedEnv" . }}
{{- end }}
{{- if and (eq .component "query") $values.speed.enabled }}
{{- include "lambda.querySpeedEnv" . }}
{{- end }}
{{- if eq .component "batch" }}
- name: LAMBDA_BATCH_DATA_DIR
  value: /data
{{- /* stable across restarts: a restarted replica takes its own run lease back at once */}}
- name: LAMBDA_BATCH_INSTANCE_ID
  value: {{ include "lambda.componentName" . | quote }}
- name: LAMBDA_BATCH_SCHEDULE_ENABLED
  value: {{ $settings.schedule.enabled | quote }}
- name: LAMBDA_BATCH_SCHEDULE_INCREMENTAL_CRON
  value: {{ $settings.schedule.incrementalCron | quote }}
- name: LAMBDA_BATCH_SCHEDULE_FULL_CRON
  value: {{ $settings.schedule.fullCron | quote }}
- name: LAMBDA_BATCH_RECOMPUTE_MAP_PARTITIONS
  value: {{ $settings.recompute.mapPartitions | quote }}
- name: LAMBDA_BATCH_RECOMPUTE_THREADS
  value: {{ $settings.recompute.threads | quote }}
{{- with $settings.jobRepository.jdbcUrl }}
- name: SPRING_DATASOURCE_URL
  value: {{ . | quote }}
{{- end }}
{{- with $settings.jobRepository.existingSecret }}
- name: SPRING_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: username
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: password
{{- end }}
{{- end }}
{{- with $values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with $settings.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Where speed-service keeps its Kafka Streams stores (lambda.speed.state-dir): the state volume. */}}
{{- define "lambda.speedStateDir" -}}
/data
{{- end }}

{{/* The headless Service that gives each speed pod its DNS name (the StatefulSet's serviceName). */}}
{{- define "lambda.speedHeadlessName" -}}
{{- printf "%s-headless" (include "lambda.componentName" (dict "root" .root "component" "speed")) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The Secret of the key query-service reads speed-service's interactive queries with (scope internal):
key api-key is the plain key, api-key-sha256 its hex SHA-256 that speed-service accepts.
*/}}
{{- define "lambda.speedInternalKeySecretName" -}}
{{- $key := .root.Values.speed.internalApiKey }}
{{- if $key.existingSecret }}
{{- $key.existingSecret }}
{{- else }}
{{- printf "%s-internal-api-key" (include "lambda.componentName" (dict "root" .root "component" "speed")) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
speed-service's own environment. POD_NAME and POD_NAMESPACE come first: the advertised host expands
them. The instance id (static membership) is left to its default, HOSTNAME, which is the pod's
stable StatefulSet name.
*/}}
{{- define "lambda.speedEnv" -}}
{{- $speed := .root.Values.speed }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: LAMBDA_SPEED_STATE_DIR
  value: {{ include "lambda.speedStateDir" . | quote }}
- name: LAMBDA_SPEED_STREAMS_ADVERTISED_HOST
  value: {{ printf "$(POD_NAME).%s.$(POD_NAMESPACE).svc" (include "lambda.speedHeadlessName" .) | quote }}
- name: LAMBDA_SPEED_STREAMS_STANDBY_REPLICAS
  value: {{ $speed.standbyReplicas | quote }}
{{- if .root.Values.query.enabled }}
- name: LAMBDA_SECURITY_API_KEYS_0_ID
  value: query-service
- name: LAMBDA_SECURITY_API_KEYS_0_SHA256
  valueFrom:
    secretKeyRef:
      name: {{ include "lambda.speedInternalKeySecretName" . }}
      key: api-key-sha256
- name: LAMBDA_SECURITY_API_KEYS_0_SCOPES
  value: internal
{{- end }}
{{- end }}

{{/* query-service's way to speed-service: the speed Service and the plain internal key. */}}
{{- define "lambda.querySpeedEnv" -}}
{{- $speed := dict "root" .root "component" "speed" }}
- name: LAMBDA_QUERY_SPEED_URL
  value: {{ printf "http://%s:%d" (include "lambda.componentName" $speed) (int .root.Values.speed.port) | quote }}
- name: LAMBDA_QUERY_SPEED_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "lambda.speedInternalKeySecretName" . }}
      key: api-key
{{- end }}

{{/* The Deployment of a component (speed is a StatefulSet, templates/speed/statefulset.yaml). */}}
{{- define "lambda.deployment" -}}
{{- $settings := index .root.Values .component }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "lambda.componentName" . }}
  labels:
    {{- include "lambda.labels" . | nindent 4 }}
spec:
  {{- if not (and $settings.autoscaling $settings.autoscaling.enabled) }}
  replicas: {{ $settings.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "lambda.selectorLabels" . | nindent 6 }}
  strategy:
    {{- if eq .component "batch" }}
    # never two schedulers, not even for the length of a rollout
    type: Recreate
    {{- else }}
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
    {{- end }}
  template:
    {{- include "lambda.podTemplate" . | nindent 4 }}
{{- end }}

{{/* The pod template of a component's workload: the same for a Deployment and a StatefulSet. */}}
{{- define "lambda.podTemplate" -}}
{{- $values := .root.Values }}
{{- $settings := index $values .component }}
{{- if eq (int $values.managementPort) (int $settings.port) }}
{{- fail (printf "managementPort (%d) must differ from %s.port: the actuator would be served on the public Service" (int $values.managementPort) .component) }}
{{- end }}
metadata:
  labels:
    {{- include "lambda.labels" . | nindent 4 }}
  annotations:
    {{- if include "lambda.usesStore" . }}
    checksum/config: {{ include (print .root.Template.BasePath "/configmap.yaml") .root | sha256sum }}
    {{- end }}
    {{- if $values.metrics.scrapeAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $values.managementPort | quote }}
    prometheus.io/path: /actuator/prometheus
    {{- end }}
    {{- with $settings.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "lambda.serviceAccountName" .root }}
  automountServiceAccountToken: false
  {{- with $values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $values.podSecurityContext | nindent 4 }}
  {{- if eq .component "speed" }}
  # up to 30 s of graceful HTTP shutdown, then up to 30 s for Kafka Streams to commit and close
  # (a static member does not leave the group, so its partitions wait for it, not a rebalance)
  terminationGracePeriodSeconds: 90
  {{- else }}
  # server.shutdown=graceful drains requests for up to 30 s
  terminationGracePeriodSeconds: 45
  {{- end }}
  containers:
    - name: {{ .component }}
      image: {{ include "lambda.image" . }}
      imagePullPolicy: {{ $values.image.pullPolicy }}
      securityContext:
        {{- toYaml $values.containerSecurityContext | nindent 8 }}
      ports:
        - name: http
          containerPort: {{ $settings.port }}
          protocol: TCP
        - name: management
          containerPort: {{ $values.managementPort }}
          protocol: TCP
      env:
        - name: SERVER_PORT
          value: {{ $settings.port | quote }}
        - name: MANAGEMENT_SERVER_PORT
          value: {{ $values.managementPort | quote }}
        {{- include "lambda.env" . | trim | nindent 8 }}
      startupProbe:
        httpGet:
          path: /actuator/health/liveness
          port: management
        periodSeconds: 5
        failureThreshold: 36
      livenessProbe:
        httpGet:
          path: /actuator/health/liveness
          port: management
        periodSeconds: 10
        timeoutSeconds: 3
        failureThreshold: 3
      readinessProbe:
        httpGet:
          path: /actuator/health/readiness
          port: management
        periodSeconds: 5
        timeoutSeconds: 3
        failureThreshold: 3
      resources:
        {{- toYaml $settings.resources | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if include "lambda.usesStore" . }}
        - name: config
          mountPath: /config
          readOnly: true
        {{- end }}
        {{- if eq .component "batch" }}
        - name: data
          mountPath: /data
        {{- end }}
        {{- if eq .component "speed" }}
        - name: state
          mountPath: {{ include "lambda.speedStateDir" . }}
        {{- end }}
        {{- if $values.security.apiKeys.existingSecret }}
        - name: api-keys
          mountPath: {{ include "lambda.apiKeysDir" .root }}
          readOnly: true
        {{- end }}
        {{- with $values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
    {{- if include "lambda.usesStore" . }}
    - name: config
      configMap:
        name: {{ include "lambda.configMapName" .root }}
    {{- end }}
    {{- if eq .component "batch" }}
    - name: data
      {{- if $settings.persistence.enabled }}
      persistentVolumeClaim:
        claimName: {{ include "lambda.componentName" . }}-data
      {{- else }}
      emptyDir:
        sizeLimit: 1Gi
      {{- end }}
    {{- end }}
    {{- if and (eq .component "speed") (not $settings.persistence.enabled) }}
    # no claim: a started pod restores its stores from the changelog topics
    - name: state
      emptyDir:
        sizeLimit: {{ $settings.persistence.size }}
    {{- end }}
    {{- with $values.security.apiKeys.existingSecret }}
    - name: api-keys
      secret:
        secretName: {{ . }}
        defaultMode: 0440
    {{- end }}
    {{- with $values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $settings.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $settings.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $settings.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if $settings.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range $settings.topologySpreadConstraints }}
    - {{- toYaml (omit . "labelSelector") | nindent 6 }}
      labelSelector:
        {{- if .labelSelector }}
        {{- toYaml .labelSelector | nindent 8 }}
        {{- else }}
        matchLabels:
          {{- include "lambda.selectorLabels" $ | nindent 10 }}
        {{- end }}
    {{- end }}
  {{- end }}
{{- end }}

{{/* The ClusterIP (or other) Service of a component, on its HTTP port. */}}
{{- define "lambda.service" -}}
{{- $settings := index .root.Values .component }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "lambda.componentName" . }}
  labels:
    {{- include "lambda.labels" . | nindent 4 }}
  {{- with $settings.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $settings.service.type }}
  selector:
    {{- include "lambda.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $settings.port }}
      targetPort: http
      protocol: TCP
{{- end }}

{{- define "lambda.podDisruptionBudget" -}}
{{- $settings := index .root.Values .component }}
{{- if $settings.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "lambda.componentName" . }}
  labels:
    {{- include "lambda.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $settings.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "lambda.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{- define "lambda.horizontalPodAutoscaler" -}}
{{- $settings := index .root.Values .component }}
{{- if $settings.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "lambda.componentName" . }}
  labels:
    {{- include "lambda.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "lambda.componentName" . }}
  minReplicas: {{ $settings.autoscaling.minReplicas }}
  maxReplicas: {{ $settings.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $settings.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}

{{/*
Ingress to a component's HTTP port: from its own peers (empty = any source) and from the
monitoring peers. Egress stays open: Kafka and Cassandra are external endpoints. Speed's peers
always include query-service and the other speed pods: interactive queries and their fan-out.
*/}}
{{- define "lambda.networkPolicy" -}}
{{- $values := .root.Values }}
{{- $settings := index $values .component }}
{{- $from := $settings.networkPolicy.from }}
{{- if and $from (eq .component "speed") }}
{{- $from = concat $from (list
      (dict "podSelector" (dict "matchLabels" (include "lambda.selectorLabels" (dict "root" .root "component" "query") | fromYaml)))
      (dict "podSelector" (dict "matchLabels" (include "lambda.selectorLabels" . | fromYaml)))) }}
{{- end }}
{{- if $values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "lambda.componentName" . }}
  labels:
    {{- include "lambda.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "lambda.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
  ingress:
    - ports:
        - port: http
          protocol: TCP
      {{- with $from }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- with $values.networkPolicy.metricsFrom }}
    - ports:
        - port: management
          protocol: TCP
      from:
        {{- toYaml . | nindent 8 }}
    {{- end }}
{{- end }}
{{- end }}

{{- define "lambda.serviceMonitor" -}}
{{- $values := .root.Values }}
{{- if $values.metrics.serviceMonitor.enabled }}
{{- /* headless, cluster-internal, only for the scrape: the component's Service stays on the API port */}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "lambda.componentName" . }}-management
  labels:
    {{- include "lambda.labels" . | nindent 4 }}
    lambda.io/port: management
spec:
  clusterIP: None
  selector:
    {{- include "lambda.selectorLabels" . | nindent 4 }}
  ports:
    - name: management
      port: {{ $values.managementPort }}
      targetPort: management
      protocol: TCP
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "lambda.componentName" . }}
  labels:
    {{- include "lambda.labels" . | nindent 4 }}
    {{- with $values.metrics.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "lambda.selectorLabels" . | nindent 6 }}
      lambda.io/port: management
  endpoints:
    - port: management
      path: /actuator/prometheus
      interval: {{ $values.metrics.serviceMonitor.interval }}
      scrapeTimeout: {{ $values.metrics.serviceMonitor.scrapeTimeout }}
{{- end }}
{{- end }}
