using System.Reflection;
using Herald.Runtime;

namespace Herald.Silo.Runtime;

internal sealed class GrainFactory(GrainCatalog catalog) : IGrainFactory
{
    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var proxy = DispatchProxy.Create<TGrainInterface, GrainReference>();
        ((GrainReference)(object)proxy).Bind(catalog, new GrainId(typeof(TGrainInterface), key));
        return proxy;
    }
}
