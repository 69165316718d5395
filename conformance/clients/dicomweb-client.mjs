// dicomweb-client (with dcmjs to read and write Part 10), unchanged, against Quorum's DICOMweb:
// STOW-RS, QIDO-RS, WADO-RS metadata and retrieve, with a bearer token. dicomweb-client uses the
// browser's XMLHttpRequest: Node has none, so xhr2 provides it. Env: QUORUM_DICOMWEB (base URL of
// /dicomweb), QUORUM_TOKEN, QUORUM_DICOM_FILE (a Part 10 file whose UIDs are new to the server).
import { readFileSync } from 'node:fs';
import XMLHttpRequest from 'xhr2';
import dcmjs from 'dcmjs';
import { api } from 'dicomweb-client';
import { check, env, expect, finish } from './checks.mjs';

globalThis.XMLHttpRequest = XMLHttpRequest;
const client = new api.DICOMwebClient({
  url: env('QUORUM_DICOMWEB'),
  headers: { Authorization: `Bearer ${env('QUORUM_TOKEN')}` },
});
const file = readFileSync(env('QUORUM_DICOM_FILE'));
const part10 = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
const dataset = dcmjs.data.DicomMessage.readFile(part10);
const naturalized = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dataset.dict);
const study = naturalized.StudyInstanceUID;
const series = naturalized.SeriesInstanceUID;
const sop = naturalized.SOPInstanceUID;

await check('dicomweb-client', 'STOW-RS', async () => {
  await client.storeInstances({ datasets: [part10] });
  return sop;
});

await check('dicomweb-client', 'QIDO-RS', async () => {
  const studies = await client.searchForStudies({ queryParams: { StudyInstanceUID: study } });
  expect(studies.length === 1, `1 study expected, got ${studies.length}`);
  const instances = await client.searchForInstances({ studyInstanceUID: study, queryParams: { SOPInstanceUID: sop } });
  expect(instances.length === 1, `1 instance expected, got ${instances.length}`);
  const found = dcmjs.data.DicomMetaDictionary.naturalizeDataset(instances[0]);
  expect(found.SOPInstanceUID === sop, 'QIDO returned another instance');
  return `study found; instance ${found.SOPInstanceUID}`;
});

await check('dicomweb-client', 'WADO-RS metadata', async () => {
  const metadata = await client.retrieveInstanceMetadata({ studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: sop });
  const instance = dcmjs.data.DicomMetaDictionary.naturalizeDataset(metadata[0]);
  expect(instance.SOPClassUID === naturalized.SOPClassUID, 'SOP Class UID differs');
  expect(instance.Rows === naturalized.Rows && instance.Columns === naturalized.Columns, 'image size differs');
  return `${instance.Modality} ${instance.Rows}x${instance.Columns}`;
});

await check('dicomweb-client', 'WADO-RS retrieve', async () => {
  const retrieved = await client.retrieveInstance({ studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: sop });
  const back = dcmjs.data.DicomMessage.readFile(retrieved);
  const instance = dcmjs.data.DicomMetaDictionary.naturalizeDataset(back.dict);
  expect(instance.SOPInstanceUID === sop, 'retrieved another instance');
  expect(Buffer.from(retrieved).equals(file), 'retrieved bytes differ from the stored file');
  return `${retrieved.byteLength} bytes, identical`;
});

finish();
