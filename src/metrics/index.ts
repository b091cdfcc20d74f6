/** Prometheus metrics of the service: what is counted (from store events and gRPC calls), and the HTTP endpoint. */
export {
  METRICS_PATH,
  type MetricsServer,
  type MetricsSource,
  startMetricsServer,
} from "./metrics-server.js";
export {
  RECORD_BYTES_BUCKETS,
  RPC_DURATION_BUCKETS,
  ServiceMetrics,
  SWEEP_DURATION_BUCKETS,
} from "./service-metrics.js";
