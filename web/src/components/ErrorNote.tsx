/** An inline error line: API failures are shown where the data would be, never thrown. */
export function ErrorNote({ message, context }: { message: string; context?: string }) {
  return (
    <div class="note note--error" role="alert">
      {context && <strong>{context}: </strong>}
      {message}
    </div>
  );
}
