import { ModulePage } from '../module/ModulePage';

export function GuarderPage() {
  return <ModulePage title="Guarder" module="guarder" />;
}
