const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

type Histogram = { counts: number[]; sum: number; count: number }

/** Request counts and latency histograms by route and status, rendered as Prometheus text. */
export function createMetrics(service: string) {
  const requests = new Map<string, number>()
  const latency = new Map<string, Histogram>()
  const label = (v: string) => v.replace(/["\\\n]/g, '_')

  return {
    observe(method: string, route: string, status: number, seconds: number) {
      const labels = `service="${label(service)}",method="${label(method)}",route="${label(route)}"`
      const key = `${labels},status="${status}"`
      requests.set(key, (requests.get(key) ?? 0) + 1)
      let h = latency.get(labels)
      if (!h) {
        h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }
        latency.set(labels, h)
      }
      BUCKETS.forEach((b, i) => {
        if (seconds <= b) h.counts[i] = (h.counts[i] ?? 0) + 1
      })
      h.sum += seconds
      h.count += 1
    },
    render(): string {
      const out = [
        '# HELP http_requests_total HTTP requests by route and status.',
        '# TYPE http_requests_total counter',
      ]
      for (const [k, v] of requests) out.push(`http_requests_total{${k}} ${v}`)
      out.push(
        '# HELP http_request_duration_seconds HTTP request latency.',
        '# TYPE http_request_duration_seconds histogram',
      )
      for (const [labels, h] of latency) {
        for (const [i, b] of BUCKETS.entries()) {
          out.push(`http_request_duration_seconds_bucket{${labels},le="${b}"} ${h.counts[i]}`)
        }
        out.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`)
        out.push(`http_request_duration_seconds_sum{${labels}} ${h.sum}`)
        out.push(`http_request_duration_seconds_count{${labels}} ${h.count}`)
      }
      return `${out.join('\n')}\n`
    },
  }
}
