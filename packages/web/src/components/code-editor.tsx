/** A monospace textarea with line numbers beside it; plain text, nothing is run or rendered. */
export function CodeEditor(props: { label: string; value: string; onChange: (v: string) => void }) {
  const lines = Math.max(1, props.value.split('\n').length)
  return (
    <div className="code-editor">
      <div className="gutter" aria-hidden="true">
        {Array.from({ length: lines }, (_, i) => i + 1).join('\n')}
      </div>
      <textarea
        aria-label={props.label}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        rows={lines + 1}
        spellCheck={false}
        wrap="off"
      />
    </div>
  )
}
