import type { ComponentChildren } from 'preact';

interface Props {
  title: string;
  aside?: ComponentChildren;
  children: ComponentChildren;
  testid?: string;
}

export function Panel({ title, aside, children, testid }: Props) {
  return (
    <section class="panel" data-testid={testid}>
      <header class="panel__head">
        <h2>{title}</h2>
        {aside && <div class="panel__aside">{aside}</div>}
      </header>
      <div class="panel__body">{children}</div>
    </section>
  );
}
