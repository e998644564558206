const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Per bucket counts are kept non-cumulative (one increment per request) and summed when rendered. */
type Series = { labels: string; byStatus: Map<number, number>; buckets: number[]; sum: number; count: number }

/** Request counts and latency histograms by route and status, plus the service's own gauges, as Prometheus text. */
export function createMetrics(service: string, gauges: Record<string, () => number> = {}) {
  // Keyed by method and route; every request observes, so the label text is built once per series.
  const series = new Map<string, Series>()
  const label = (v: string) => v.replace(/["\\\n]/g, '_')

  return {
    observe(method: string, route: string, status: number, seconds: number) {
      const key = `${method} ${route}`
      let s = series.get(key)
      if (!s) {
        s = {
          labels: `service="${label(service)}",method="${label(method)}",route="${label(route)}"`,
          byStatus: new Map(),
          buckets: BUCKETS.map(() => 0),
          sum: 0,
          count: 0,
        }
        series.set(key, s)
      }
      s.byStatus.set(status, (s.byStatus.get(status) ?? 0) + 1)
      let i = 0
      while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++
      if (i < BUCKETS.length) s.buckets[i]! += 1
      s.sum += seconds
      s.count += 1
    },
    render(): string {
      const out = [
        '# HELP http_requests_total HTTP requests by route and status.',
        '# TYPE http_requests_total counter',
      ]
      for (const s of series.values())
        for (const [status, n] of s.byStatus)
          out.push(`http_requests_total{${s.labels},status="${status}"} ${n}`)
      out.push(
        '# HELP http_request_duration_seconds HTTP request latency.',
        '# TYPE http_request_duration_seconds histogram',
      )
      for (const s of series.values()) {
        let cumulative = 0
        for (const [i, b] of BUCKETS.entries()) {
          cumulative += s.buckets[i] ?? 0
          out.push(`http_request_duration_seconds_bucket{${s.labels},le="${b}"} ${cumulative}`)
        }
        out.push(`http_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.count}`)
        out.push(`http_request_duration_seconds_sum{${s.labels}} ${s.sum}`)
        out.push(`http_request_duration_seconds_count{${s.labels}} ${s.count}`)
      }
      for (const [name, read] of Object.entries(gauges))
        out.push(`# TYPE ${name} gauge`, `${name}{service="${label(service)}"} ${read()}`)
      return `${out.join('\n')}\n`
    },
  }
}
