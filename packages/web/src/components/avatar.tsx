/** A person's picture; one that does not load is hidden rather than shown broken. */
export const Avatar = ({ url, size }: { url: string | null; size: number }) =>
  url ? (
    <img
      className="avatar"
      src={url}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      onError={(e) => {
        e.currentTarget.hidden = true
      }}
    />
  ) : null
