import './styles/app.css'
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { RouterProvider } from '@tanstack/react-router'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { ApiError, isUnauthorized } from './api/errors'
import { authKeys } from './data/auth'
import { createAppRouter } from './router'

/** A 401 from any call: the session is gone, so sign in again and come back here. */
const onError = (err: unknown) => {
  if (!isUnauthorized(err) || location.pathname === '/login') return
  queryClient.removeQueries({ queryKey: authKeys.session() })
  void router.navigate({ to: '/login', search: { next: location.pathname + location.search } })
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // Client errors will not change by asking again; network and server trouble may.
      retry: (count, err) => count < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
    },
  },
})
const router = createAppRouter(queryClient)

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
)
