import type { ComponentChildren } from 'preact';
import { followLink } from '../router';

export function Link({
  href,
  children,
  class: className,
  ariaCurrent,
}: {
  href: string;
  children: ComponentChildren;
  class?: string;
  ariaCurrent?: boolean;
}) {
  return (
    <a
      href={href}
      class={className}
      aria-current={ariaCurrent ? 'page' : undefined}
      onClick={(event) => followLink(event, href)}
    >
      {children}
    </a>
  );
}
