import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { webhooks } from '../api/clients'
import { unwrap } from '../api/errors'

export type DeliveryFilter = { event?: string; repository?: string; cursor?: string }

export const webhookKeys = {
  all: ['webhooks'] as const,
  list: (f: DeliveryFilter) => [...webhookKeys.all, 'list', f] as const,
  detail: (id: string) => [...webhookKeys.all, 'detail', id] as const,
}

const fetchDeliveries = (f: DeliveryFilter) =>
  unwrap(
    webhooks.GET('/api/webhook-deliveries', {
      params: {
        query: {
          page_size: 25,
          cursor: f.cursor,
          event: f.event ? [f.event] : undefined,
          repository: f.repository ? [f.repository] : undefined,
        },
      },
    }),
  )
export type DeliveryPage = Awaited<ReturnType<typeof fetchDeliveries>>

export const useDeliveries = (f: DeliveryFilter) =>
  useQuery({
    queryKey: webhookKeys.list(f),
    queryFn: () => fetchDeliveries(f),
    placeholderData: keepPreviousData,
  })

export const useDelivery = (id: string | undefined) =>
  useQuery({
    queryKey: webhookKeys.detail(id ?? ''),
    queryFn: () =>
      unwrap(webhooks.GET('/api/webhook-deliveries/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: !!id,
  })

export function useRedeliver() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(webhooks.POST('/api/webhook-deliveries/{id}/redeliver', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.all }),
  })
}
