/** The protocols the generator speaks. */
export const TargetName = {
  PORTCULLIS_TCP: 'portcullis-tcp',
  PORTCULLIS_WS: 'portcullis-ws',
  NET: 'net',
  WS: 'ws',
  SOCKETIO: 'socketio',
} as const

/** One of the generator's protocols. */
export type TargetName = (typeof TargetName)[keyof typeof TargetName]

/** The load patterns. */
export const ScenarioName = {
  ECHO: 'echo',
  OPEN: 'open',
  BROADCAST: 'broadcast',
  IDLE: 'idle',
  CHURN: 'churn',
  STORM: 'storm',
} as const

/** One of the load patterns. */
export type ScenarioName = (typeof ScenarioName)[keyof typeof ScenarioName]

/** Everything one generator run needs; every run is bounded in time. */
export interface Job {
  readonly scenario: ScenarioName
  readonly target: TargetName
  readonly port: number
  readonly opsPort: number | undefined
  readonly serverPid: number
  readonly connections: number
  /** Requests in flight per connection (closed-loop echo). */
  readonly inFlight: number
  /** Total offered requests per second (open loop, storm players). */
  readonly ratePerSecond: number
  readonly warmupMs: number
  readonly durationMs: number
  /** Broadcast room size and tick rate. */
  readonly roomSize: number
  readonly tickHz: number
  /** Idle: heartbeat interval; storm: arriving connections and window. */
  readonly heartbeatMs: number
  readonly stormConnections: number
  readonly stormWindowMs: number
  /** First 127.0.0.x source address (rotates to spread ephemeral ports). */
  readonly addressSeed: number
  /** Upper bound on the whole run, connecting included. */
  readonly timeoutMs: number
}

/** What one generator run measured. */
export interface JobResult {
  /** Messages counted in the measured window. */
  messages: number
  seconds: number
  serverCpu: number
  generatorCpu: number
  /** CPU seconds the rest of the machine used meanwhile (noise). */
  otherCpu: number
  /** Latency in microseconds, hdr-histogram compressed base64. */
  histogram: string
  errors: Record<string, number>
  /** Scenario-specific numbers (memory, health failures...). */
  extra: Record<string, number>
  /** More histograms by name (storm: calm and storm phases). */
  histograms: Record<string, string>
}

/** Messages from the bench to a generator process. */
export type ToGenerator =
  | { type: 'job'; job: Job }
  | { type: 'memory'; rssBytes: number; heapUsedBytes: number }

/** Messages from a generator process to the bench. */
export type FromGenerator =
  | { type: 'progress'; fraction: number }
  | { type: 'memory?' }
  | { type: 'result'; result: JobResult }
  | { type: 'failed'; message: string }
