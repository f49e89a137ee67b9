import { ModulePage } from '../module/ModulePage';

export function LocatorPage() {
  return <ModulePage title="Locator" module="locator" />;
}
