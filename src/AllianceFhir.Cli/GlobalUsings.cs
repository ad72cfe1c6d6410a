// Hl7.Fhir.Model has a FHIR resource called Task; in this project "Task" always means the .NET one.
global using Task = System.Threading.Tasks.Task;
