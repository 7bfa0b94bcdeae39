/** A question asked in the page (no browser dialog: it has no label a test or a screen reader can follow). */
import type { ComponentChildren } from 'preact';
import { useT } from '../i18n';

export function Confirm({
  id,
  title,
  children,
  confirm,
  busy,
  onConfirm,
  onClose,
}: {
  id: string;
  title: string;
  children: ComponentChildren;
  confirm: string;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { m } = useT();
  return (
    <div class="confirm" role="group" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <p>{children}</p>
      <div class="actions">
        <button type="button" class="danger" onClick={onConfirm} disabled={busy}>
          {confirm}
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          {m.common.close}
        </button>
      </div>
    </div>
  );
}
