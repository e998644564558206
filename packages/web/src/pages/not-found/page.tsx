import { Link } from '@tanstack/react-router'

export function NotFoundPage() {
  return (
    <main className="not-found" id="main">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link to="/prs">Go to the dashboard</Link>
      </p>
    </main>
  )
}
