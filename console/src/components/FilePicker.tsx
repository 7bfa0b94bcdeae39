/** Choosing a CSV file: the file input (keyboard and screen readers), or a file dropped on its box. */
import { useState } from 'preact/hooks';
import { useT } from '../i18n';

export function FilePicker({
  id,
  label,
  file,
  onFile,
}: {
  id: string;
  label: string;
  file: File | null;
  onFile: (file: File | null) => void;
}) {
  const { m } = useT();
  const [over, setOver] = useState(false);
  return (
    <div
      class={`drop-zone${over ? ' drop-over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        const dropped = event.dataTransfer?.files[0];
        if (dropped) onFile(dropped);
      }}
    >
      <label for={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept=".csv,text/csv"
        onChange={(event) => onFile(event.currentTarget.files?.[0] ?? null)}
      />
      <p class="hint">{m.upload.drop}</p>
      {file && <p class="chosen">{m.upload.chosen(file.name)}</p>}
    </div>
  );
}

/**
 * An Idempotency-Key: random, from getRandomValues (crypto.randomUUID exists only on HTTPS or localhost, and a
 * fund's office may reach the console by plain HTTP on its network).
 */
export function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
